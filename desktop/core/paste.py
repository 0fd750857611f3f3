"""What a paste brings: the stray spaces and quotes around a value, and links that carry an ID (a
recording link or a console URL holds the call or request ID an agent is after; the form offers
it instead of the whole link)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

#: A GUID/UUID in its usual text form (8-4-4-4-12 hexadecimal digits, any case).
GUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_GUID = re.compile(GUID_PATTERN)
_ID_PARAMETERS = ("callid", "call_id", "requestid", "request_id", "ccdrid", "id")
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:@+\-]{1,128}")


def strip_paste(raw: str) -> str:
    """``raw`` without what a paste brings along: spaces, quotes, line breaks."""
    return raw.strip().strip("\"'“”‘’").strip()


def id_from_link(text: str, field_name: str) -> str | None:
    """The ID a pasted http(s) link carries for ``field_name``, or None.

    A query parameter named like the field wins, then the usual ID parameters, then the first
    GUID anywhere in the link."""
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    parameters = {name.lower(): value for name, value in parse_qsl(parts.query)}
    for name in (field_name.lower(), *_ID_PARAMETERS):
        value = parameters.get(name, "")
        if _PLAIN_ID.fullmatch(value):
            return value
    found = _GUID.search(parts.path + "?" + parts.query)
    return found.group(0) if found else None
