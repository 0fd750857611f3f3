"""The vendor registry: one module per vendor, listed here in tab order.

Adding a vendor means adding its module (a ``Vendor`` subclass), its simulator module and tests,
and one line in ``REGISTRY``.

The registry names each vendor's module instead of importing it: the window paints its tab bar
from these entries before any vendor module (and with them pydantic and httpx) is loaded.
``VENDORS`` and ``get_vendor`` load the modules on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from desktop.core.errors import ConfigurationError

if TYPE_CHECKING:
    from desktop.vendors.base import Vendor


@dataclass(frozen=True)
class VendorEntry:
    key: str
    title: str
    #: "package.module:ClassName" of the vendor's ``Vendor`` subclass.
    implementation: str


REGISTRY: tuple[VendorEntry, ...] = (
    VendorEntry("leadsquared", "LeadSquared", "desktop.vendors.leadsquared:LeadSquared"),
    VendorEntry("huawei-aicc", "Huawei AICC", "desktop.vendors.huawei_aicc:HuaweiAicc"),
    VendorEntry("huawei-isales", "Huawei CC-iSales", "desktop.vendors.huawei_isales:HuaweiIsales"),
    VendorEntry("oneuptime", "OneUptime", "desktop.vendors.oneuptime:OneUptime"),
    VendorEntry("verba", "Verba", "desktop.vendors.verba:Verba"),
)

_ENTRIES = {entry.key: entry for entry in REGISTRY}


def vendor_keys() -> tuple[str, ...]:
    return tuple(_ENTRIES)


@cache
def _load(key: str) -> Vendor:
    entry = _ENTRIES[key]
    module_name, class_name = entry.implementation.split(":")
    vendor: Vendor = getattr(import_module(module_name), class_name)()
    if (vendor.key, vendor.title) != (entry.key, entry.title):
        raise RuntimeError(f"{entry.implementation} declares {vendor.key!r}/{vendor.title!r}")
    return vendor


def get_vendor(key: str) -> Vendor:
    if key not in _ENTRIES:
        raise ConfigurationError(f"Unknown vendor '{key}'. Known vendors: {', '.join(_ENTRIES)}.")
    return _load(key)


def all_vendors() -> tuple[Vendor, ...]:
    """Every vendor in tab order (loads their modules)."""
    return tuple(_load(key) for key in _ENTRIES)


def __getattr__(name: str) -> tuple[Vendor, ...]:
    # ``from desktop.vendors import VENDORS`` keeps working, and loads the modules only then.
    if name == "VENDORS":
        return all_vendors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
