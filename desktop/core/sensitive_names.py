"""Which header and query-parameter names carry credentials (compared lower-case).

The generic names live here; each vendor's own names are declared once, in its registry entry
(``desktop.vendors.REGISTRY``), and registered from there: the core knows no vendor. This module
imports nothing heavy, so the registry can register names before any vendor module loads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

GENERIC_SENSITIVE_NAMES = frozenset(
    {
        "authorization",
        "x-api-key",
        "apikey",
        "api_key",
        "token",
        "access_token",
        "accesstoken",
        "password",
        "secret",
        "signature",
        "accesskeyid",
        "accesskey",
        "secretkey",
        "xapikey",
        "key",
        # signatures and session IDs of pre-signed and recorder links
        "sig",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
        "jsessionid",
        "sessionid",
        "client_secret",
        "passwd",
    }
)

_sensitive = set(GENERIC_SENSITIVE_NAMES)
_lock = threading.Lock()


def register_sensitive_names(names: Iterable[str]) -> None:
    """Mask these names (a vendor's credential headers and parameters) from now on."""
    with _lock:
        _sensitive.update(name.lower() for name in names)


def is_sensitive_name(name: str) -> bool:
    return name.lower() in _sensitive
