"""Huawei's "C2" AK/SK request signature (CC-CMS, CC-iSales, CC-FS, CC-iKBS), auth-v2 scheme.

Two layouts of the canonical request exist in public code, and a profile chooses one:

- ``huawei-sdk`` (the default) follows Huawei's own demo class ``SignInfo``: the query line is
  left out entirely when there is no query, ``host`` is the only signed header, the timestamp is
  whole UTC seconds (``yyyy-MM-dd'T'HH:mm:ss'Z'``), and the percent-encoded body is appended only
  when there is one.
- ``legacy-ports`` follows the third-party ports of that demo: every line always present (an empty
  query line, an empty body line), ``content-type;host`` signed, milliseconds in the timestamp.

Both share the rest; the output encoding (hex or base64) is a separate setting, because the
ports disagree on it too::

    authStringPrefix = "auth-v2/" + AK + "/" + timestamp + "/" + signedHeaders
    signingKey       = HMAC-SHA256(SK, authStringPrefix)          (hex text, or raw bytes)
    canonicalRequest = METHOD \\n URI [\\n query] \\n signedHeaders \\n headers [\\n body]
    signature        = HMAC-SHA256(signingKey, canonicalRequest)   (hex, or base64)
    Authorization    = authStringPrefix + "/" + signature
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import quote

AUTH_VERSION = "auth-v2"


class SignatureEncoding(StrEnum):
    HEX = "hex"
    BASE64 = "base64"


class SignatureLayout(StrEnum):
    HUAWEI_SDK = "huawei-sdk"
    LEGACY_PORTS = "legacy-ports"


#: The headers each layout signs unless the profile names others.
LAYOUT_SIGNED_HEADERS: dict[SignatureLayout, tuple[str, ...]] = {
    SignatureLayout.HUAWEI_SDK: ("host",),
    SignatureLayout.LEGACY_PORTS: ("content-type", "host"),
}


def huawei_timestamp(
    moment: datetime | None = None, layout: SignatureLayout = SignatureLayout.HUAWEI_SDK
) -> str:
    """UTC in the layout's form: 2024-10-31T14:06:52Z (huawei-sdk) or 2024-10-31T14:06:52.123Z
    (legacy-ports)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    if layout is SignatureLayout.HUAWEI_SDK:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def encode(text: str) -> str:
    """Percent-encode every UTF-8 byte except the unreserved A-Z a-z 0-9 - . _ ~."""
    return quote(text, safe="-._~")


@dataclass(frozen=True)
class Signature:
    authorization: str
    canonical_request: str
    auth_string_prefix: str


def _canonical_request(
    layout: SignatureLayout,
    *,
    method: str,
    path: str,
    canonical_query: str,
    signed_names: str,
    canonical_headers: str,
    body: bytes,
) -> str:
    lines = [method.upper(), path]
    if canonical_query or layout is SignatureLayout.LEGACY_PORTS:
        lines.append(canonical_query)
    lines += [signed_names, canonical_headers]
    if body or layout is SignatureLayout.LEGACY_PORTS:
        lines.append(encode(body.decode("utf-8")))
    return "\n".join(lines)


def sign_request(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
    timestamp: str,
    layout: SignatureLayout = SignatureLayout.HUAWEI_SDK,
    signed_headers: Sequence[str] | None = None,
    encoding: SignatureEncoding = SignatureEncoding.HEX,
) -> Signature:
    """The Authorization header for one request. ``path`` is the path as sent (already
    percent-encoded); ``headers`` must hold every name in ``signed_headers`` (any case), which
    defaults to the layout's own set."""
    lowered = {name.lower(): value for name, value in headers.items()}
    wanted = LAYOUT_SIGNED_HEADERS[layout] if signed_headers is None else signed_headers
    names = sorted(name.lower() for name in wanted)
    missing = [name for name in names if name not in lowered]
    if missing:
        raise ValueError(f"headers to sign are missing: {', '.join(missing)}")
    signed_names = ";".join(names)
    prefix = f"{AUTH_VERSION}/{access_key}/{timestamp}/{signed_names}"
    canonical_query = "&".join(
        sorted(f"{encode(name)}={encode(value)}" for name, value in query.items())
    )
    canonical_headers = "\n".join(
        f"{encode(name)}:{encode(lowered[name].strip())}" for name in names
    )
    canonical_request = _canonical_request(
        layout,
        method=method,
        path=path,
        canonical_query=canonical_query,
        signed_names=signed_names,
        canonical_headers=canonical_headers,
        body=body,
    )
    key_digest = hmac.new(secret_key.encode(), prefix.encode(), hashlib.sha256)
    if encoding is SignatureEncoding.HEX:
        signing_key = key_digest.hexdigest().encode()
        signature = hmac.new(signing_key, canonical_request.encode(), hashlib.sha256).hexdigest()
    else:
        raw = hmac.new(key_digest.digest(), canonical_request.encode(), hashlib.sha256).digest()
        signature = base64.b64encode(raw).decode("ascii")
    return Signature(
        authorization=f"{prefix}/{signature}",
        canonical_request=canonical_request,
        auth_string_prefix=prefix,
    )
