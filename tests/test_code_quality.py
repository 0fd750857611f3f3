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


@pytest.mark.skipif(
    shutil.which("lint-imports") is None, reason="import-linter is installed by the test extra"
)
def test_layering_contracts_hold() -> None:
    """Qt only in the UI, httpx only in core/http, the core knowing no vendor: the contracts are
    in pyproject.toml ([tool.importlinter]) and follow imports through every module."""
    contracts = _run("lint-imports", "--no-cache")
    assert contracts.returncode == 0, contracts.stdout + contracts.stderr
