#!/usr/bin/env bash
# Builds the desktop bundle, then runs the bundled app's smoke test (one demo lookup per vendor
# through the window) offscreen, and under Xvfb on the xcb platform when xvfb-run is there; checks
# that the bundled CLI reports pyproject's version. Exit 0 only when everything passed.
#
# Usage: bash packaging/smoke_test_bundle.sh          (SKIP_BUILD=1 tests an existing dist/)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bundle=$root/dist/calllookup
python=${PYTHON:-python3}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  bash "$root/packaging/build_bundle.sh"
fi

# A throwaway config and data folder: the user's profiles and history stay untouched.
scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT
export CALLLOOKUP_CONFIG_DIR=$scratch/config CALLLOOKUP_DATA_DIR=$scratch/data
cd "$scratch"

echo "== calllookup --demo --smoke-test (offscreen)"
QT_QPA_PLATFORM=offscreen "$bundle/calllookup" --demo --smoke-test
if command -v xvfb-run > /dev/null; then
  echo "== calllookup --demo --smoke-test (xcb, Xvfb)"
  QT_QPA_PLATFORM=xcb xvfb-run -a "$bundle/calllookup" --demo --smoke-test
else
  echo "== (xvfb-run not installed: the xcb platform is not tried)"
fi

echo "== calllookup-cli --version"
expected="calllookup $("$python" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$root/pyproject.toml")"
reported=$("$bundle/calllookup-cli" --version)
echo "$reported"
if [ "$reported" != "$expected" ]; then
  echo "smoke_test_bundle.sh: the bundled CLI says '$reported', pyproject.toml '$expected'" >&2
  exit 1
fi
echo "bundle smoke test passed"
