"""The one vendor registry: the simulators and the masked names derive from its entries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop.core.errors import ConfigurationError
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


def test_a_registered_vendor_is_listed_loaded_and_masked_until_it_is_removed() -> None:
    from desktop.vendors import all_vendors, vendor_keys
    from tests.support import attempt_vendor as ringbook

    built_in = vendor_keys()
    oneuptime = get_vendor("oneuptime")
    registration = ringbook.registered()
    next(registration)
    try:
        assert vendor_keys() == (*built_in, ringbook.KEY)
        assert REGISTRY[-1] is ringbook.ENTRY
        assert [vendor.key for vendor in all_vendors()][-1] == ringbook.KEY
        assert [simulator.key for simulator in all_vendor_simulators()][-1] == ringbook.KEY
        assert is_sensitive_name("X-Ringbook-Token")
        with pytest.raises(ValueError, match="registered already"):
            REGISTRY.register(ringbook.ENTRY)
    finally:
        registration.close()
    assert vendor_keys() == built_in
    assert get_vendor("oneuptime") is oneuptime  # the others' instances are kept
    with pytest.raises(ConfigurationError, match="Unknown vendor 'ringbook'"):
        get_vendor(ringbook.KEY)
