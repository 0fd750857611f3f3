"""CLI fixtures: run calllookup-cli in a subprocess against the session's simulator, with a
file-backed test keyring (subprocesses cannot share an in-memory one)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.simulator.server import Simulator

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_env(isolated_dirs: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PYTHON_KEYRING_BACKEND"] = "tests.support.file_keyring.FileKeyring"
    env["CALLLOOKUP_TEST_KEYRING_FILE"] = str(isolated_dirs / "test-keyring.json")
    return env


def cli(
    env: dict[str, str], *args: str, stdin: str = "", module: str = "desktop.cli"
) -> subprocess.CompletedProcess[str]:
    """calllookup-cli in a subprocess (``module``: a launcher that registers a vendor first)."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def demo_profile(cli_env: dict[str, str], simulator: Simulator) -> Callable[..., dict[str, str]]:
    """Create, through the CLI itself, a 'default' profile of a vendor pointing at the
    simulator with its demo settings and secrets; returns the environment to run with."""

    def create(vendor_key: str, module: str = "desktop.cli") -> dict[str, str]:
        demo = simulator.vendors[vendor_key].demo
        settings = [f"--set={name}={value}" for name, value in demo.settings.items()]
        secrets = "".join(f"{name}={value}\n" for name, value in demo.secrets.items())
        done = cli(
            cli_env, "profile", "set", vendor_key, "default",
            "--base-url", simulator.base_url(vendor_key), "--set", "timeout=15",
            *settings, "--secrets-stdin", stdin=secrets, module=module,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return cli_env

    return create


@pytest.fixture
def leadsquared_profile(demo_profile):
    return demo_profile("leadsquared")
