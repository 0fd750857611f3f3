"""The README's start command, run as written by a newcomer on Debian 12 / Ubuntu 24.04: the
system's own Python (PEP 668 forbids a plain pip install there), PATH=/usr/bin:/bin, a fresh
home. Only the app's last step gets ``--demo --smoke-test`` so it ends by itself."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.packaging.conftest import BUILD_TIMEOUT_SECONDS, REPO_ROOT, missing, run

pytestmark = pytest.mark.packaging
SYSTEM_PYTHON = Path("/usr/bin/python3")
MARKER = "<!-- test: start command -->"


def readme_start_command() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(re.escape(MARKER) + r"\s*```\n(.+?)\n```", text, re.DOTALL)
    assert block is not None, f"README.md has no code block after {MARKER}"
    (line,) = block.group(1).splitlines()
    return line


def test_the_start_command_is_a_venv_one_liner_ending_in_the_app() -> None:
    command = readme_start_command()
    assert command.startswith("python3 -m venv ")
    assert command.endswith("/bin/calllookup")
    assert "pip install ." in command and "sudo" not in command


def test_readme_start_command_works_with_the_system_python(tmp_path: Path) -> None:
    if not SYSTEM_PYTHON.exists():
        missing("the system Python /usr/bin/python3")
    run([SYSTEM_PYTHON, "-c", "import ensurepip, venv"], cwd=tmp_path)  # python3-venv
    checkout = tmp_path / "checkout"  # a clean copy: the install must not depend on local files
    shutil.copytree(
        REPO_ROOT,
        checkout,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", "*.egg-info",
                                      ".mypy_cache", ".ruff_cache", ".pytest_cache"),
    )  # fmt: skip
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "CALLLOOKUP_CONFIG_DIR": str(tmp_path / "config"),
        "CALLLOOKUP_DATA_DIR": str(tmp_path / "data"),
    }
    # pip's own settings (where this machine finds packages) stay as they are.
    env |= {key: value for key, value in os.environ.items() if key.startswith("PIP_")}
    done = run(
        ["bash", "-c", readme_start_command() + " --demo --smoke-test"],
        cwd=checkout,
        env=env,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    assert done.stdout.count("smoke test: ") == 5, done.stdout
    app = home / ".local/share/calllookup-venv/bin/calllookup"
    assert app.exists()
    assert (home / ".local/share/calllookup-venv/bin/python").resolve().is_relative_to("/usr")
