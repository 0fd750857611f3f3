"""Fault modes the simulator can put on any vendor's next answers (reliability tests, demos).

A fault is a word with an optional argument, e.g. ``status:503:2`` or ``mutate:types``. Some act
before the vendor's handler runs (no answer, a canned answer, a delay); others transform the
answer the handler produced, so a vendor's real body arrives broken in a realistic way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

#: fault word -> what it does (for error messages and the README).
FAULTS: dict[str, str] = {
    "status": "status:CODE[:RETRY_AFTER] answers with that HTTP status (and Retry-After)",
    "html": "a 200 HTML error page instead of data",
    "delay": "delay:SECONDS waits before the headers (slow headers, timeouts)",
    "slowbody": "slowbody:SECONDS sends the real body in pieces spread over SECONDS",
    "reset": "drops the connection without an answer",
    "cutbody": "sends the headers and half the real body, then resets the connection",
    "truncated": "the real body cut in half, with a matching Content-Length",
    "content-type": "content-type:VALUE sends the real body under a wrong content type",
    "mutate": "mutate:types|missing|extra changes the real JSON body's field types, drops "
    "fields, or adds unexpected ones",
    "huge": "a 200 body of 8 MiB",
    "xmlbomb": "a 200 XML body with nested entity expansion (billion laughs)",
    "xmlencoding": "xmlencoding:NAME makes the real XML body's declaration name that encoding",
}

_XML_DECLARED_ENCODING = re.compile(rb"""(<\?xml[^>]*?encoding=)(["'])[^"']*\2""")
_HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>503</title></head>"
    b"<body><h1>Service temporarily unavailable</h1></body></html>"
)
_XML_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'.encode()
        for n in range(1, 10)
    )
    + b']>\n<VerbaApi><Response code="0" type="GetCallID"/><CallID>&lol9;</CallID></VerbaApi>\n'
)


@dataclass(frozen=True)
class Fault:
    word: str
    argument: str = ""

    @classmethod
    def parse(cls, text: str) -> Fault:
        word, _, argument = text.partition(":")
        if word not in FAULTS:
            raise ValueError(f"unknown fault {text!r}; known: {', '.join(FAULTS)}")
        return cls(word, argument)


@dataclass(frozen=True)
class CannedAnswer:
    """What to send instead of calling the vendor's handler; body None means: drop the line."""

    status: int
    body: bytes | None
    headers: dict[str, str]


def canned_answer(fault: Fault) -> CannedAnswer | None:
    """The answer a 'before' fault gives, or None when the vendor's handler should still run."""
    if fault.word == "status":
        code_text, _, retry_after = fault.argument.partition(":")
        code = int(code_text or 500)
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if retry_after:
            headers["Retry-After"] = retry_after
        return CannedAnswer(code, f"Simulated failure {code}.".encode(), headers)
    if fault.word == "html":
        return CannedAnswer(200, _HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})
    if fault.word == "reset":
        return CannedAnswer(0, None, {})
    if fault.word == "huge":
        body = b"[" + b"0," * (4 * 1024 * 1024) + b"0]"
        return CannedAnswer(200, body, {"Content-Type": "application/json"})
    if fault.word == "xmlbomb":
        return CannedAnswer(200, _XML_BOMB, {"Content-Type": "application/xml"})
    return None


def delay_before_headers(fault: Fault) -> float:
    return float(fault.argument or 1) if fault.word == "delay" else 0.0


def _mutate_types(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _mutate_types(item) for key, item in value.items()}
    if isinstance(value, list):
        return {"unexpected": "object instead of a list"}
    if isinstance(value, bool):
        return "maybe"
    if isinstance(value, (int, float)):
        return "not a number"
    if isinstance(value, str):
        return 12345
    return value


def _drop_fields(value: Any) -> Any:
    if isinstance(value, dict):
        kept = list(value.items())[1::2]  # every other field goes missing
        return {key: _drop_fields(item) for key, item in kept}
    if isinstance(value, list):
        return [_drop_fields(item) for item in value]
    return value


def _add_fields(value: Any) -> Any:
    if isinstance(value, dict):
        extended = {key: _add_fields(item) for key, item in value.items()}
        extended["unexpectedField"] = {"nested": ["surprise", 1, None]}
        return extended
    if isinstance(value, list):
        return [_add_fields(item) for item in value]
    return value


_MUTATIONS: dict[str, Callable[[Any], Any]] = {
    "types": _mutate_types,
    "missing": _drop_fields,
    "extra": _add_fields,
}


@dataclass(frozen=True)
class Delivery:
    """How to send a (possibly transformed) answer."""

    status: int
    body: bytes
    headers: dict[str, str]
    #: Seconds over which the body is trickled out (slow body).
    trickle_seconds: float = 0.0
    #: Send only this many body bytes, then reset the connection (cut mid-body).
    cut_after: int | None = None


def transform(fault: Fault | None, status: int, body: bytes, headers: dict[str, str]) -> Delivery:
    """Apply an 'after' fault to the vendor's real answer."""
    delivery = Delivery(status, body, dict(headers))
    if fault is None:
        return delivery
    if fault.word == "slowbody":
        return replace(delivery, trickle_seconds=float(fault.argument or 2))
    if fault.word == "cutbody":
        return replace(delivery, cut_after=max(1, len(body) // 2))
    if fault.word == "truncated":
        return replace(delivery, body=body[: max(1, len(body) // 2)])
    if fault.word == "content-type":
        return replace(
            delivery, headers={**headers, "Content-Type": fault.argument or "text/plain"}
        )
    if fault.word == "xmlencoding":
        declared = rb"\1\2" + fault.argument.encode("ascii", "replace") + rb"\2"
        return replace(delivery, body=_XML_DECLARED_ENCODING.sub(declared, body, count=1))
    if fault.word == "mutate":
        mutation = _MUTATIONS.get(fault.argument)
        if mutation is None:
            raise ValueError(f"mutate takes one of {', '.join(_MUTATIONS)}")
        try:
            document = json.loads(body)
        except ValueError:
            return delivery  # not JSON (XML vendors): nothing to mutate
        return replace(delivery, body=json.dumps(mutation(document)).encode("utf-8"))
    return delivery
