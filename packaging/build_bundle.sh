#!/usr/bin/env bash
# Builds the one-folder desktop bundle dist/calllookup/ (Linux here; see packaging/README.md for
# Windows and macOS) and prints its size.
#
# Reproducible: clean build folders; the wheel is built from this checkout and installed, with
# the dependency versions of the Python that runs this script (the one the tests ran with), into
# a fresh venv where the pinned PyInstaller (from pyproject's test extra) runs the spec; file times
# come from SOURCE_DATE_EPOCH (default: the last commit's time) and PYTHONHASHSEED is fixed.
#
# Usage: bash packaging/build_bundle.sh      (PYTHON=python3.12 to build with another Python)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
work=$root/build/bundle
dist=$root/dist

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2> /dev/null || date +%s)}
export PYTHONHASHSEED=0
export PIP_DISABLE_PIP_VERSION_CHECK=1

pyinstaller_requirement=$("$python" - "$root/pyproject.toml" << 'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as file:
    extra = tomllib.load(file)["project"]["optional-dependencies"]["test"]
print(next(r for r in extra if r.lower().startswith("pyinstaller==")))
PY
)

rm -rf -- "$work" "$dist/calllookup"
mkdir -p "$work"
echo "== wheel"
"$python" -m build --wheel --no-isolation --outdir "$work/wheel" "$root" > "$work/wheel.log"
wheel=$(echo "$work"/wheel/calllookup-*.whl)
echo "$wheel"

echo "== build environment ($pyinstaller_requirement)"
"$python" -m pip freeze --exclude-editable --exclude calllookup \
  | grep -E '^[A-Za-z0-9._-]+==' > "$work/constraints.txt" || true
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --constraint "$work/constraints.txt" \
  "$wheel" "$pyinstaller_requirement"

echo "== PyInstaller"
# From the work folder, so that the checkout's own desktop/ cannot shadow the installed wheel.
cd "$work"
"$work/venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work/pyinstaller" "$root/packaging/calllookup.spec"

echo "== bundle"
echo "$dist/calllookup: $(du -sh "$dist/calllookup" | cut -f1)," \
  "$(find "$dist/calllookup" -type f | wc -l) files"
