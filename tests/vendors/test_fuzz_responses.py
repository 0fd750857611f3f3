"""Every vendor, fed arbitrary answers: the only outcomes allowed are a normalized result or the
project's own typed VendorError with a readable message. No crash, no other exception.

The vendor's whole lookup runs (token requests included); only the HTTP exchange is replaced by
generated answers, which makes this a pure parsing test at the adapter's boundary.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.errors import VendorError
from desktop.core.http import HttpClientPool, HttpResponse, HttpSession, HttpSettings
from desktop.core.models import LookupResult
from desktop.core.profiles import Profile
from desktop.core.tokens import TokenCache
from desktop.simulator.registry import all_vendor_simulators
from desktop.vendors import VENDORS, get_vendor
from desktop.vendors.base import VendorContext

EXAMPLES_PER_VENDOR = 2000

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=6)
    ),
    max_leaves=12,
)


@st.composite
def answers(draw: st.DrawFn, field_names: tuple[str, ...]) -> tuple[int, str, bytes]:
    """A status, a content type and a body: JSON shaped like the vendor's (its own field names
    with arbitrary values), arbitrary JSON, XML-ish text or raw bytes."""
    status = draw(st.sampled_from([200, 200, 200, 400, 401, 403, 404, 422, 429, 500, 503]))
    kind = draw(st.sampled_from(["shaped", "json", "xml", "bytes"]))
    if kind == "shaped":
        keys = st.sampled_from(field_names) if field_names else st.text(max_size=10)
        document = draw(st.dictionaries(keys, json_values, max_size=len(field_names) or 4))
        nested = draw(st.dictionaries(st.sampled_from(field_names or ("x",)), json_values))
        if nested and document:
            document[next(iter(document))] = nested
        body = json.dumps(document).encode()
        content_type = "application/json"
    elif kind == "json":
        body = json.dumps(draw(json_values)).encode()
        content_type = "application/json"
    elif kind == "xml":
        code = draw(st.sampled_from(["0", "2", "x", ""]))
        inner = draw(st.text(max_size=30))
        root = draw(st.sampled_from(["VerbaApi", "Other", "html"]))
        body = (
            f'<?xml version="1.0"?><{root}><Response code="{code}" type="{inner}"/>'
            f"<CallID>{inner}</CallID></{root}>"
        ).encode("utf-8", "replace")
        content_type = "application/xml"
    else:
        body = draw(st.binary(max_size=200))
        content_type = draw(st.sampled_from(["application/json", "text/html", "text/plain"]))
    return status, content_type, body


class CannedHttpSession(HttpSession):
    """Answers every request with the same generated response."""

    def __init__(self, status: int, content_type: str, body: bytes) -> None:
        super().__init__(HttpClientPool(), HttpSettings(), vendor_title="Fuzzed vendor")
        self._answer = HttpResponse(
            status=status,
            headers={"content-type": content_type},
            body=body,
            safe_url="http://127.0.0.1:9/fuzz",
            elapsed=0.0,
        )

    async def request(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        return self._answer


def _words(value: Any) -> set[str]:
    """Every key in the simulator's demo answers: realistic field names to generate with."""
    if isinstance(value, Mapping):
        keys = {str(key) for key in value}
        for item in value.values():
            keys |= _words(item)
        return keys
    if isinstance(value, list):
        return set().union(*(_words(item) for item in value)) if value else set()
    if isinstance(value, str) and value.startswith("{"):
        try:
            return _words(json.loads(value))
        except ValueError:
            return set()
    return set()


def _field_names(simulator: Any) -> tuple[str, ...]:
    names: set[str] = set()
    for attribute in vars(simulator).values():
        names |= _words(attribute)
    return tuple(sorted(names))


SIMULATORS = {simulator.key: simulator for simulator in all_vendor_simulators()}


@pytest.mark.parametrize("vendor_key", [vendor.key for vendor in VENDORS])
def test_arbitrary_answers_never_crash_the_adapter(vendor_key: str) -> None:
    vendor = get_vendor(vendor_key)
    demo = SIMULATORS[vendor_key].demo
    profile = Profile(
        vendor=vendor_key,
        name="fuzz",
        base_url="http://127.0.0.1:9" + demo.base_path,
        settings=dict(demo.settings),
    )
    params = vendor.validate(demo.sample_inputs, profile)
    field_names = _field_names(SIMULATORS[vendor_key])
    loop = asyncio.new_event_loop()  # one loop for all examples: asyncio.run each is slow

    @settings(
        max_examples=EXAMPLES_PER_VENDOR,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(answer=answers(field_names))
    def check(answer: tuple[int, str, bytes]) -> None:
        context = VendorContext(
            profile=profile,
            secrets=dict(demo.secrets),
            http=CannedHttpSession(*answer),
            tokens=TokenCache(),
        )
        outcome: LookupResult | VendorError
        try:
            outcome = loop.run_until_complete(vendor.lookup(context, params))
        except VendorError as error:
            outcome = error
        if isinstance(outcome, VendorError):
            assert outcome.message.strip()
            assert "Traceback" not in outcome.message
        else:
            assert isinstance(outcome, LookupResult)

    try:
        check()
    finally:
        loop.close()
