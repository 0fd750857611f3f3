"""The one vendor registry: the simulators and the masked names derive from its entries."""

from __future__ import annotations

import subprocess
import sys

from desktop.core.redact import MASK, redact_url
from desktop.core.sensitive_names import GENERIC_SENSITIVE_NAMES, is_sensitive_name
from desktop.simulator.registry import all_vendor_simulators
from desktop.vendors import REGISTRY, get_vendor


def test_every_entry_names_a_vendor_and_its_simulator_under_its_key() -> None:
    simulators = all_vendor_simulators()
    assert [simulator.key for simulator in simulators] == [entry.key for entry in REGISTRY]
    for entry in REGISTRY:
        assert get_vendor(entry.key).title == entry.title


def test_vendor_names_are_declared_in_the_registry_not_in_the_core() -> None:
    vendor_names = {name for entry in REGISTRY for name in entry.sensitive_names}
    assert "x-lsq-accesskey" in vendor_names
    assert not vendor_names & GENERIC_SENSITIVE_NAMES
    for name in vendor_names:
        assert is_sensitive_name(name.upper())
    masked = redact_url("https://api.example/v2/Call?X-LSQ-SecretKey=lsq-9f1c2e&callid=61df")
    assert "lsq-9f1c2e" not in masked
    assert f"X-LSQ-SecretKey={MASK}" in masked and "callid=61df" in masked


def test_importing_the_registry_registers_the_names_without_loading_a_vendor() -> None:
    script = (
        "import sys\n"
        "from desktop.core.sensitive_names import is_sensitive_name\n"
        "assert not is_sensitive_name('x-lsq-accesskey')\n"
        "import desktop.vendors\n"
        "print(is_sensitive_name('X-LSQ-AccessKey'))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'desktop.vendors.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines() == ["True", "[]"]
