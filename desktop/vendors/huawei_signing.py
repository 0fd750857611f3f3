"""Huawei's "C2" AK/SK request signature (CC-CMS, CC-iSales, CC-FS, CC-iKBS), auth-v2 scheme.

Reconstructed in vendors.md section 3.2 from three public ports of Huawei's demo, which disagree
on the output encoding and on the signed header set; both are parameters here (hex and
``content-type;host`` by default) so a profile can match its server without a code change.

    authStringPrefix = "auth-v2/" + AK + "/" + timestamp + "/" + signedHeaders
    signingKey       = HMAC-SHA256(SK, authStringPrefix)          (hex text, or raw bytes)
    canonicalRequest = METHOD \\n URI \\n query \\n signedHeaders \\n headers \\n normalize(body)
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
DEFAULT_SIGNED_HEADERS = ("content-type", "host")


class SignatureEncoding(StrEnum):
    HEX = "hex"
    BASE64 = "base64"


def huawei_timestamp(moment: datetime | None = None) -> str:
    """UTC as yyyy-MM-dd'T'HH:mm:ss.SSS'Z', e.g. 2024-10-31T14:06:52.123Z."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def encode(text: str) -> str:
    """Percent-encode every UTF-8 byte except the unreserved A-Z a-z 0-9 - . _ ~."""
    return quote(text, safe="-._~")


@dataclass(frozen=True)
class Signature:
    authorization: str
    canonical_request: str
    auth_string_prefix: str


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
    signed_headers: Sequence[str] = DEFAULT_SIGNED_HEADERS,
    encoding: SignatureEncoding = SignatureEncoding.HEX,
) -> Signature:
    """The Authorization header for one request. ``path`` is the path as sent (already
    percent-encoded); ``headers`` must hold every name in ``signed_headers`` (any case)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    names = sorted(name.lower() for name in signed_headers)
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
    canonical_request = "\n".join(
        [
            method.upper(),
            path,
            canonical_query,
            signed_names,
            canonical_headers,
            encode(body.decode("utf-8")),
        ]
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
