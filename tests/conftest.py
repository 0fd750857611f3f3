"""Shared fixtures: a real simulator on 127.0.0.1, hermetic config/data dirs, an engine on demo
profiles. Nothing here mocks HTTP: adapters talk to the simulator over real sockets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.engine import LookupEngine
from desktop.simulator.registry import demo_profiles, start_simulator
from desktop.simulator.server import Simulator
from desktop.vendors import VendorEntry
from tests.support import attempt_vendor as ringbook
from tests.support.secret_service import (  # noqa: F401  (fixtures shared by every test folder)
    no_keyring,
    real_keyring,
    secret_service,
)

# Property tests run about 200 examples on a developer's machine and 2,000 in CI (CI=true), where
# time matters less than depth; CALLLOOKUP_HYPOTHESIS_PROFILE picks one explicitly.
settings.register_profile("dev", max_examples=200, deadline=None)
settings.register_profile("ci", max_examples=2000, deadline=None)
settings.load_profile(
    os.environ.get("CALLLOOKUP_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config and data dirs: nothing touches the user's files."""
    monkeypatch.setenv("CALLLOOKUP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CALLLOOKUP_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture(scope="session")
def running_simulator() -> Iterator[Simulator]:
    simulator = start_simulator()
    yield simulator
    simulator.stop()


@pytest.fixture
def simulator(running_simulator: Simulator) -> Simulator:
    """The session's simulator with faults, counters and per-run state cleared."""
    running_simulator.reset()
    return running_simulator


@pytest.fixture
def attempt_vendor() -> Iterator[VendorEntry]:
    """Ringbook, the tests' own vendor with attempts, in the one registry for one test."""
    yield from ringbook.registered()


@pytest.fixture
def attempt_vendor_simulator(attempt_vendor: VendorEntry) -> Iterator[Simulator]:
    """A simulator of every registered vendor, Ringbook among them. A module whose tests need
    Ringbook makes it its ``simulator``: the window, engine and CLI fixtures then have it."""
    simulator = start_simulator()
    yield simulator
    simulator.stop()


@pytest.fixture
def engine(simulator: Simulator) -> LookupEngine:
    profiles, secrets = demo_profiles(simulator)
    return LookupEngine(profiles, secrets)


@pytest.fixture(autouse=True)
def secret_registry_per_test() -> Iterator[None]:
    """Each test masks only what it (and the session's simulator) registered: errors and
    results are masked by value, so a short test secret such as "value" registered by one test
    must not mask that word in another test's vendor messages."""
    from desktop.core import redact

    saved, longest_first = set(redact._registered), redact._longest_first
    saved_whole = set(redact._registered_whole)
    yield
    redact._registered.clear()
    redact._registered.update(saved)
    redact._registered_whole.clear()
    redact._registered_whole.update(saved_whole)
    redact._longest_first = longest_first
