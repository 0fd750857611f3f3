"""ruff and mypy are part of the test suite, so CI fails on a lint or type error like on a bug."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed by the test extra")
def test_ruff_lint_and_format_are_clean() -> None:
    lint = _run("ruff", "check", "desktop", "tests", "packaging")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatting = _run("ruff", "format", "--check", "desktop", "tests", "packaging")
    assert formatting.returncode == 0, formatting.stdout + formatting.stderr


def test_mypy_strict_is_clean() -> None:
    typed = _run(sys.executable, "-m", "mypy")
    assert typed.returncode == 0, typed.stdout + typed.stderr


def test_core_and_vendors_import_no_qt_and_httpx_stays_in_core_http() -> None:
    offenders = []
    for path in [*REPO_ROOT.glob("desktop/core/*.py"), *REPO_ROOT.glob("desktop/vendors/*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(("import PySide6", "from PySide6", "import qasync")):
                offenders.append(f"{path.name} imports Qt")
    for path in REPO_ROOT.glob("desktop/**/*.py"):
        if path.name == "http.py" and path.parent.name == "core":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(("import httpx", "from httpx")):
                offenders.append(f"{path.relative_to(REPO_ROOT)} imports httpx")
    assert not offenders
