"""Packaging tests: the wheel and sdist, the wheel in a clean venv, the Linux integration files and
the desktop bundle. They need build tools (the test extra) and Debian's desktop-file-utils,
appstream and binutils; without one a test is skipped, saying which, except when
``CALLLOOKUP_REQUIRE_PACKAGING_TESTS=1`` (set by CI) makes that a failure."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGING = REPO_ROOT / "packaging"
REQUIRE_ENV = "CALLLOOKUP_REQUIRE_PACKAGING_TESTS"
# How long one build step may take before the test gives up (the bundle takes about a minute).
BUILD_TIMEOUT_SECONDS = 900


def pyproject_version() -> str:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def missing(what: str) -> None:
    """Skip the test because ``what`` is not installed, or fail when CI requires it."""
    message = f"{what} is not installed"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENV}=1)")
    pytest.skip(message)


def require_commands(*names: str) -> None:
    for name in names:
        if shutil.which(name) is None:
            missing(f"the '{name}' command")


def require_modules(*names: str) -> None:
    for name in names:
        if importlib.util.find_spec(name) is None:
            missing(f"the Python module '{name}' (pip install '.[test]')")


def clean_env(tmp: Path) -> dict[str, str]:
    """The environment for a packaged program: offscreen Qt, throwaway config and data dirs, and
    no PYTHONPATH, so nothing can import this checkout's sources instead of the package."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        CALLLOOKUP_CONFIG_DIR=str(tmp / "config"),
        CALLLOOKUP_DATA_DIR=str(tmp / "data"),
    )
    return env


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; a non-zero exit fails the test with the command's output."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"{command} exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
    return done


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built by ``python -m build`` (the wheel from the sdist)."""
    require_modules("build", "hatchling")
    out = tmp_path_factory.mktemp("dists")
    # --no-isolation: hatchling comes from the test extra, so no download per run.
    run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", out, REPO_ROOT],
        cwd=REPO_ROOT,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    return out


@pytest.fixture(scope="session")
def wheel(dists: Path) -> Path:
    (found,) = dists.glob("calllookup-*.whl")
    return found


@pytest.fixture(scope="session")
def sdist(dists: Path) -> Path:
    (found,) = dists.glob("calllookup-*.tar.gz")
    return found


@pytest.fixture(scope="session")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv (without this interpreter's site-packages) with the wheel installed, its
    dependencies at the versions this interpreter has (pip's cache usually has them)."""
    root = tmp_path_factory.mktemp("venv")
    venv = root / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=root)
    frozen = run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--exclude", "calllookup"],
        cwd=root,
    ).stdout
    constraints = root / "constraints.txt"
    pinned = [line for line in frozen.splitlines() if "==" in line and " @ " not in line]
    constraints.write_text("\n".join(pinned) + "\n", encoding="utf-8")
    run(
        [venv / "bin" / "python", "-m", "pip", "install", "-q", "--constraint", constraints, wheel],
        cwd=root,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    yield venv
    shutil.rmtree(root, ignore_errors=True)
