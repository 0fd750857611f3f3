"""The real entry point, as a newcomer starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_demo_smoke_test_exits_0_after_one_lookup_per_vendor(isolated_dirs) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--demo", "--smoke-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "smoke test: leadsquared:" in done.stdout
    log_file = isolated_dirs / "data" / "calllookup.log"
    assert log_file.exists()


def test_without_a_display_the_app_says_so_in_one_line_and_exits_1(isolated_dirs) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, (done.returncode, done.stderr)  # not Qt's abort (134)
    assert done.stderr.splitlines() == [
        "calllookup: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
        "set QT_QPA_PLATFORM=offscreen for headless use"
    ]
    assert done.stdout == ""
