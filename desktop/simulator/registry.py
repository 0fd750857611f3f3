"""Every vendor simulator, and the demo wiring that ``--demo`` and the smoke test use."""

from __future__ import annotations

from pathlib import Path

from desktop.core.credentials import MemorySecretStore
from desktop.core.profiles import Profile, ProfileStore
from desktop.simulator.server import Simulator, VendorSimulator
from desktop.vendors import REGISTRY, load_declared

DEMO_PROFILE_NAME = "demo"


def all_vendor_simulators() -> list[VendorSimulator]:
    """A fresh simulator for every vendor in the registry, in tab order."""
    simulators: list[VendorSimulator] = []
    for entry in REGISTRY:
        simulator: VendorSimulator = load_declared(entry.simulator)()
        if simulator.key != entry.key:
            raise RuntimeError(f"{entry.simulator} simulates {simulator.key!r}, not {entry.key!r}")
        simulators.append(simulator)
    return simulators


def start_simulator(port: int = 0, *, standalone: bool = False) -> Simulator:
    """Every vendor's simulator on one port; ``standalone`` when it is the process's only work
    (see ``VendorSimulator.standalone``)."""
    vendors = all_vendor_simulators()
    for vendor in vendors:
        vendor.standalone = standalone
    return Simulator(vendors, port=port).start()


def demo_profiles(
    simulator: Simulator, backing_file: Path | None = None
) -> tuple[ProfileStore, MemorySecretStore]:
    """Profiles and secrets pointing every vendor at the running simulator, in memory. With a
    ``backing_file`` the user's own profiles are kept there beside the (never saved) demo."""
    profiles = []
    secrets: dict[tuple[str, str, str], str] = {}
    for key, vendor in simulator.vendors.items():
        profiles.append(
            Profile(
                vendor=key,
                name=DEMO_PROFILE_NAME,
                base_url=simulator.base_url(key),
                timeout=10,
                settings=dict(vendor.demo.settings),
            )
        )
        for field, value in vendor.demo.secrets.items():
            secrets[(key, DEMO_PROFILE_NAME, field)] = value
    store = ProfileStore(backing_file, profiles, transient=True)
    return store, MemorySecretStore(secrets)
