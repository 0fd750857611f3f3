"""The vendor registry: one module per vendor, listed here in tab order.

Adding a vendor means adding its module (a ``Vendor`` subclass), its simulator module and tests,
and one entry in ``REGISTRY``: the simulator registry and the masking of the vendor's credential
header and parameter names are derived from it.

The registry names each vendor's module instead of importing it: the window paints its tab bar
from these entries before any vendor module (and with them pydantic and httpx) is loaded.
``all_vendors`` and ``get_vendor`` load the modules on first use.

``register`` adds a vendor declared elsewhere (the tests' own vendor with attempts proves that a
vendor is its module, its simulator module and one entry): everything that lists vendors reads
``REGISTRY`` or ``all_vendors()`` when it runs, so it sees the added one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, overload

from desktop.core.errors import ConfigurationError
from desktop.core.sensitive_names import register_sensitive_names

if TYPE_CHECKING:
    from desktop.vendors.base import Vendor


@dataclass(frozen=True)
class VendorEntry:
    key: str
    title: str
    #: "package.module:ClassName" of the vendor's ``Vendor`` subclass.
    implementation: str
    #: "package.module:ClassName" of its ``VendorSimulator`` subclass (demo mode and tests).
    simulator: str
    #: Its own header and query-parameter names that carry credentials, masked in logs and
    #: exports beside the generic ones (authorization, token, password...).
    sensitive_names: tuple[str, ...] = ()


class VendorRegistry(Sequence[VendorEntry]):
    """The vendors in tab order; the built-in ones, and any ``register`` added since."""

    def __init__(self, entries: Sequence[VendorEntry]) -> None:
        self._entries: dict[str, VendorEntry] = {}
        for entry in entries:
            self.register(entry)

    def register(self, entry: VendorEntry) -> None:
        """Add a vendor after the others; its credential names are masked from now on."""
        if entry.key in self._entries:
            raise ValueError(f"a vendor {entry.key!r} is registered already")
        self._entries[entry.key] = entry
        register_sensitive_names(entry.sensitive_names)

    def unregister(self, key: str) -> None:
        """Remove a vendor ``register`` added (the tests' own vendor, after its tests)."""
        del self._entries[key]
        _loaded.pop(key, None)

    def entry(self, key: str) -> VendorEntry | None:
        return self._entries.get(key)

    @overload
    def __getitem__(self, index: int) -> VendorEntry: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[VendorEntry]: ...
    def __getitem__(self, index: int | slice) -> VendorEntry | Sequence[VendorEntry]:
        return tuple(self._entries.values())[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[VendorEntry]:
        return iter(tuple(self._entries.values()))


BUILTIN_VENDORS: tuple[VendorEntry, ...] = (
    VendorEntry(
        "leadsquared",
        "LeadSquared",
        "desktop.vendors.leadsquared:LeadSquared",
        simulator="desktop.simulator.leadsquared:LeadSquaredSimulator",
        sensitive_names=("x-lsq-accesskey", "x-lsq-secretkey"),
    ),
    VendorEntry(
        "huawei-aicc",
        "Huawei AICC",
        "desktop.vendors.huawei_aicc:HuaweiAicc",
        simulator="desktop.simulator.huawei_aicc:HuaweiAiccSimulator",
        sensitive_names=("app_key", "app_secret", "x-app-key"),
    ),
    VendorEntry(
        "huawei-isales",
        "Huawei CC-iSales",
        "desktop.vendors.huawei_isales:HuaweiIsales",
        simulator="desktop.simulator.huawei_isales:HuaweiIsalesSimulator",
        sensitive_names=("ak", "sk"),
    ),
    VendorEntry(
        "oneuptime",
        "OneUptime",
        "desktop.vendors.oneuptime:OneUptime",
        simulator="desktop.simulator.oneuptime:OneUptimeSimulator",
    ),
    VendorEntry(
        "verba",
        "Verba",
        "desktop.vendors.verba:Verba",
        simulator="desktop.simulator.verba:VerbaSimulator",
    ),
)

REGISTRY = VendorRegistry(BUILTIN_VENDORS)


def vendor_keys() -> tuple[str, ...]:
    return tuple(entry.key for entry in REGISTRY)


def load_declared(target: str) -> Any:
    """The class that a ``"package.module:ClassName"`` declaration names, its module imported."""
    module_name, class_name = target.split(":")
    return getattr(import_module(module_name), class_name)


#: Each registered vendor's one instance, made on first use.
_loaded: dict[str, Vendor] = {}


def _load(key: str) -> Vendor:
    vendor = _loaded.get(key)
    if vendor is None:
        entry = REGISTRY.entry(key)
        assert entry is not None, key
        vendor = load_declared(entry.implementation)()
        if (vendor.key, vendor.title) != (entry.key, entry.title):
            raise RuntimeError(f"{entry.implementation} declares {vendor.key!r}/{vendor.title!r}")
        _loaded[key] = vendor
    return vendor


def get_vendor(key: str) -> Vendor:
    if REGISTRY.entry(key) is None:
        known = ", ".join(vendor_keys())
        raise ConfigurationError(f"Unknown vendor '{key}'. Known vendors: {known}.")
    return _load(key)


def all_vendors() -> tuple[Vendor, ...]:
    """Every vendor in tab order (loads their modules)."""
    return tuple(_load(entry.key) for entry in REGISTRY)


def __getattr__(name: str) -> tuple[Vendor, ...]:
    # ``from desktop.vendors import VENDORS`` keeps working, and loads the modules only then.
    if name == "VENDORS":
        return all_vendors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
