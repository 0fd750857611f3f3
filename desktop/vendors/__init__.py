"""The vendor registry: one module per vendor, listed here in tab order.

Adding a vendor means adding its module (a ``Vendor`` subclass), its simulator module and tests,
and one line below.
"""

from __future__ import annotations

from desktop.core.errors import ConfigurationError
from desktop.vendors.base import Vendor
from desktop.vendors.huawei_aicc import HuaweiAicc
from desktop.vendors.huawei_isales import HuaweiIsales
from desktop.vendors.leadsquared import LeadSquared
from desktop.vendors.oneuptime import OneUptime

VENDORS: tuple[Vendor, ...] = (LeadSquared(), HuaweiAicc(), HuaweiIsales(), OneUptime())

_BY_KEY = {vendor.key: vendor for vendor in VENDORS}


def vendor_keys() -> tuple[str, ...]:
    return tuple(_BY_KEY)


def get_vendor(key: str) -> Vendor:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ConfigurationError(
            f"Unknown vendor '{key}'. Known vendors: {', '.join(_BY_KEY)}."
        ) from None
