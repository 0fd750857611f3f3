"""Every vendor, fed arbitrary answers: the only outcomes allowed are a normalized result or the
project's own typed VendorError with a readable message. No crash, no other exception.

The vendor's whole lookup runs (token requests included); only the HTTP exchange is replaced by
generated answers, which makes this a pure parsing test at the adapter's boundary. Verba, the XML
vendor, is also fed near-valid answers: its own elements with random values, nesting, encodings
and truncations.
"""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

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
from desktop.vendors.verba import CALL_INFORMATION_FIELDS

Answer = tuple[int, str, bytes]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=6)
    ),
    max_leaves=12,
)


@st.composite
def answers(draw: st.DrawFn, field_names: tuple[str, ...]) -> Answer:
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
    """Answers the requests with the generated responses in turn; the last one repeats."""

    def __init__(self, *answers: Answer) -> None:
        super().__init__(HttpClientPool(), HttpSettings(), vendor_title="Fuzzed vendor")
        self._answers = [
            HttpResponse(
                status=status,
                headers={"content-type": content_type},
                body=body,
                safe_url="http://127.0.0.1:9/fuzz",
                elapsed=0.0,
            )
            for status, content_type, body in answers
        ]

    async def request(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        return self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]


def assert_result_or_vendor_error(
    loop: asyncio.AbstractEventLoop,
    profile: Profile,
    secrets: Mapping[str, str],
    params: dict[str, str],
    answers: list[Answer],
) -> None:
    """One whole lookup fed ``answers``: a LookupResult or a readable VendorError, nothing else."""
    context = VendorContext(
        profile=profile,
        secrets=dict(secrets),
        http=CannedHttpSession(*answers),
        tokens=TokenCache(),
    )
    outcome: LookupResult | VendorError
    try:
        outcome = loop.run_until_complete(get_vendor(profile.vendor).lookup(context, params))
    except VendorError as error:
        outcome = error
    if isinstance(outcome, VendorError):
        assert outcome.message.strip()
        assert "Traceback" not in outcome.message
    else:
        assert isinstance(outcome, LookupResult)


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

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(answer=answers(field_names))
    def check(answer: Answer) -> None:
        assert_result_or_vendor_error(loop, profile, demo.secrets, params, [answer])

    try:
        check()
    finally:
        loop.close()


# -- Verba: near-valid XML ------------------------------------------------------------------------
#: A fifth of the profile's examples (tests/conftest.py): each is a whole lookup of up to four XML
#: answers, and costs about what five generic ones do (400 in CI: about 12 s on a 2-core machine).
VERBA_EXAMPLES = max(settings().max_examples // 5, 40)

#: Encodings a declaration may name: readable ones, multi-byte ones expat refuses, non-text
#: codecs and names no codec has.
XML_ENCODINGS = ("UTF-8", "utf-16", "ISO-8859-1", "cp1252", "ascii", "cp037", "utf-7",
                 "shift_jis", "rot13", "base64", "x-bogus", "undefined", "")  # fmt: skip
VERBA_TAGS = ("VerbaApi", "Response", "ErrorMessage", "CallID", "verbacdr", "URL", "Url",
              "CallURL", "SessionId", *CALL_INFORMATION_FIELDS)  # fmt: skip
#: Answers the simulator would give, one per request of a lookup with a login and details; a
#: fuzzed answer can take any place, so the later requests' parsing is reached too.
VERBA_GOOD_ANSWERS = (
    '<VerbaApi><Response code="0" type="RequestToken" token="t-1"/></VerbaApi>',
    '<VerbaApi><Response code="0" type="GetCallID"/><CallID>c-1</CallID></VerbaApi>',
    '<VerbaApi><Response code="0" type="GetCallInformation"/><verbacdr state="1">'
    "<ccdr_id>c-1</ccdr_id><start_time>2026-11-20 09:15:02.120</start_time></verbacdr>"
    "</VerbaApi>",
    '<VerbaApi><Response code="0" type="GetCallURL"/><URL>https://r.example/x</URL></VerbaApi>',
)


def _element(tag: str, attributes: dict[str, str], text: str, children: list[str]) -> str:
    shown = "".join(f' {name}="{escape(value, {chr(34): "&quot;"})}"'
                    for name, value in attributes.items())  # fmt: skip
    return f"<{tag}{shown}>{escape(text)}{''.join(children)}</{tag}>"


def _encoded(text: str, encoding: str) -> bytes:
    """The text in that encoding where Python has it as a text codec, else in UTF-8."""
    try:
        return text.encode(encoding or "utf-8", "xmlcharrefreplace")
    except (LookupError, UnicodeError):  # no such codec, not a text codec, or 'undefined'
        return text.encode("utf-8")


# The pieces of a document are built once: strategies made inside a draw are validated anew
# every time, which made generation the slow part of this test.
#: Element and attribute names: Verba's own, or any other well-formed XML name.
xml_names = st.sampled_from(VERBA_TAGS) | st.builds(
    str.__add__,
    st.sampled_from(string.ascii_letters + "_"),
    st.text(string.ascii_letters + string.digits + "_.-", max_size=8),
)
verba_values = st.sampled_from(["0", "2", "1", "9", " 0 ", "", "GetCallID", "token",
                                "2026-11-20 09:15:02.120", "https://r.example/x",
                                "javascript:alert(1)"]) | st.text(max_size=24)  # fmt: skip
attribute_maps = st.dictionaries(xml_names, verba_values, max_size=2)
verba_elements = st.recursive(
    st.builds(_element, xml_names, attribute_maps, verba_values, st.just([])),
    lambda children: st.builds(
        _element, xml_names, attribute_maps, verba_values, st.lists(children, max_size=3)
    ),
    max_leaves=8,
)
verba_roots = st.sampled_from(["VerbaApi", "VerbaApi", "VerbaApi", "Response", "html"])
response_attributes = st.dictionaries(st.sampled_from(["code", "type", "token"]), verba_values)
error_messages = st.lists(verba_values, max_size=1)
payloads = st.lists(verba_elements, max_size=4)
declared_encodings = st.sampled_from(XML_ENCODINGS)


@st.composite
def verba_documents(draw: st.DrawFn) -> Answer:
    """A Verba-shaped answer: the right root and elements in random order and nesting, random
    attribute and text values, a random declared (and actual) encoding, sometimes truncated."""
    root = draw(verba_roots)
    messages = draw(error_messages)
    response = _element(
        "Response",
        draw(response_attributes),
        "",
        [_element("ErrorMessage", {}, text, []) for text in messages],
    )
    parts = draw(st.permutations([response, *draw(payloads)]))
    declared = draw(declared_encodings)
    declaration = draw(st.sampled_from([f'<?xml version="1.0" encoding="{declared}"?>\n',
                                        '<?xml version="1.0"?>\n', ""]))  # fmt: skip
    written_in = draw(st.sampled_from([declared, declared, "utf-8", "utf-16"]))
    body = _encoded(f"{declaration}<{root}>{''.join(parts)}</{root}>", written_in)
    if draw(st.integers(0, 4)) == 0:
        body = body[: draw(st.integers(0, len(body)))]
    status = draw(st.sampled_from([200, 200, 200, 200, 500]))
    return status, "application/xml", body


#: One answer per request of a lookup, each either the good one or a fuzzed one.
verba_answers = st.tuples(*(
    st.just((200, "application/xml", good.encode())) | verba_documents()
    for good in VERBA_GOOD_ANSWERS
)).map(list)  # fmt: skip


def test_verba_shaped_xml_gives_a_result_or_a_vendor_error() -> None:
    demo = SIMULATORS["verba"].demo
    base = Profile(vendor="verba", name="fuzz", base_url="http://127.0.0.1:9/verba/api")
    with_login = base.model_copy(update={"settings": {"login": "supervisor"}})
    params = get_vendor("verba").validate({"extension": "8856", "details": "true"}, base)
    loop = asyncio.new_event_loop()

    @settings(max_examples=VERBA_EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
    @given(answers=verba_answers, login=st.booleans())
    def check(answers: list[Answer], login: bool) -> None:
        # With a login the first answer is the token's; an open key asks for no token.
        profile, sent = (with_login, answers) if login else (base, answers[1:])
        assert_result_or_vendor_error(loop, profile, demo.secrets, params, sent)

    try:
        check()
    finally:
        loop.close()
