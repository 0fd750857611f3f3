"""The wheel and the sdist: what they hold, and a clean venv with the wheel installed running both
commands from its own copy of the package."""

from __future__ import annotations

import re
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from tests.packaging.conftest import REPO_ROOT, clean_env, pyproject_version, run

pytestmark = pytest.mark.packaging

RESOURCES = ("desktop/resources/style.qss", "desktop/resources/icons/calllookup.svg")
# Names that would mean a secret, a local setting or build litter went into a distribution.
UNWANTED = re.compile(
    r"(^|/)(\.env|\.git|\.venv|__pycache__|build|dist|profiles\.json)(/|$)"
    r"|\.(pyc|pem|key|p12|pfx|log|sqlite3?)$|(^|/)id_(rsa|ed25519)"
)


def test_wheel_holds_the_package_resources_and_both_commands(wheel: Path) -> None:
    version = pyproject_version()
    assert wheel.name == f"calllookup-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = f"calllookup-{version}.dist-info"
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
        metadata = archive.read(f"{dist_info}/METADATA").decode()
    for resource in RESOURCES:
        assert resource in names
    # The simulator (the demo's data) is package code and ships with it.
    assert "desktop/simulator/registry.py" in names
    assert not [name for name in names if name.startswith(("tests/", "packaging/", "resources/"))]
    assert not [name for name in names if UNWANTED.search(name)]
    assert f"Version: {version}" in metadata.splitlines()
    assert "[console_scripts]\ncalllookup-cli = desktop.cli:main" in entry_points
    assert "[gui_scripts]\ncalllookup = desktop.app:main" in entry_points


def test_sdist_holds_sources_packaging_and_tests_but_nothing_local(sdist: Path) -> None:
    prefix = PurePosixPath(f"calllookup-{pyproject_version()}")
    with tarfile.open(sdist) as archive:
        names = {str(PurePosixPath(name).relative_to(prefix)) for name in archive.getnames()}
    for expected in (
        "pyproject.toml",
        "README.md",
        "resources/style.qss",
        "resources/icons/calllookup.svg",
        "packaging/calllookup.spec",
        "packaging/build_bundle.sh",
        "packaging/linux/install.sh",
        "tests/packaging/test_dists.py",
    ):
        assert expected in names
    assert not [name for name in names if UNWANTED.search(name)]


def test_wheel_in_a_clean_venv_runs_both_commands_from_the_installed_package(
    wheel_venv: Path, tmp_path: Path
) -> None:
    env = clean_env(tmp_path)
    python = wheel_venv / "bin" / "python"
    where = run(
        [
            python,
            "-c",
            "import desktop; from desktop.ui.resources import resource_root;"
            "print(desktop.__file__); print(resource_root())",
        ],
        cwd=tmp_path,
        env=env,
    ).stdout.splitlines()
    venv = wheel_venv.resolve()
    assert Path(where[0]).resolve().is_relative_to(venv), where
    assert Path(where[1]).resolve().is_relative_to(venv), where
    assert not Path(where[0]).resolve().is_relative_to(REPO_ROOT)

    version = run([wheel_venv / "bin" / "calllookup-cli", "--version"], cwd=tmp_path, env=env)
    assert version.stdout.strip() == f"calllookup {pyproject_version()}"

    smoke = run(
        [wheel_venv / "bin" / "calllookup", "--demo", "--smoke-test"], cwd=tmp_path, env=env
    )
    assert smoke.stdout.count("smoke test: ") == 5, smoke.stdout
