"""Masking of secrets before any text leaves the process (logs, errors, diagnostics, screenshots).

Two mechanisms: names (headers and query parameters that carry credentials are masked wherever they
appear) and values (every secret the app reads is registered and replaced wherever it appears).
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

#: Header and parameter names whose values are credentials or signatures (compared lower-case).
SENSITIVE_NAMES = frozenset(
    {
        "authorization",
        "x-api-key",
        "apikey",
        "api_key",
        "token",
        "access_token",
        "accesstoken",
        "app_secret",
        "app_key",
        "x-app-key",
        "sk",
        "ak",
        "password",
        "secret",
        "signature",
        "accesskeyid",
        "x-lsq-accesskey",
        "x-lsq-secretkey",
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

_registered: set[str] = set()
_lock = threading.Lock()
#: Secrets shorter than this are not value-masked: masking "1" would mangle every log line.
_MIN_SECRET_LENGTH = 4


def register_secret(value: str) -> None:
    """Mask this value wherever it appears in text that goes through ``redact_text``."""
    if len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _registered.add(value)


def is_sensitive_name(name: str) -> bool:
    return name.lower() in SENSITIVE_NAMES


def redact_url(url: str) -> str:
    """The URL with credential-like query parameters masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if not parts.query:
        return redact_text(url)
    pairs = [
        (name, MASK if is_sensitive_name(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    query = urlencode(pairs, safe="*")
    return redact_text(urlunsplit(parts._replace(query=query)))


_HEADER_LINE = re.compile(
    r"(?P<name>authorization|x-api-key|apikey|x-app-key|token|password)(?P<sep>\s*[:=]\s*)"
    r"(?P<value>(?:bearer |basic )?[^\s,;&\"']+)",
    re.IGNORECASE,
)


def redact_text(text: str) -> str:
    """Mask registered secret values and ``name: value`` credential pairs in free text."""
    with _lock:
        secrets = sorted(_registered, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _HEADER_LINE.sub(lambda m: f"{m.group('name')}{m.group('sep')}{MASK}", text)
