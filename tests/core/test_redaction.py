"""Secrets never reach a log line: by name (headers, parameters) and by value."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from pydantic import JsonValue

from desktop.core.logs import configure_logging, recent_log_lines
from desktop.core.redact import MASK, redact_text, redact_url, register_secret
from desktop.engine import LookupEngine
from desktop.simulator import leadsquared as sim


def test_urls_lose_credential_parameters_but_keep_the_rest() -> None:
    url = (
        "https://obs.example/record/x?AccessKeyId=AKIDEXAMPLE&Expires=1644484560"
        "&Signature=uztQO%2FxI8G&token=abc&apiKey=74c8&callid=61df"
    )
    safe = redact_url(url)
    for secret in ("AKIDEXAMPLE", "uztQO", "token=abc", "74c8"):
        assert secret not in safe
    assert "Expires=1644484560" in safe
    assert "callid=61df" in safe


def test_free_text_loses_header_values_and_registered_secrets() -> None:
    register_secret("s3cr3t-value-42")
    text = redact_text(
        "Authorization: Bearer eyJhbGciOi x-api-key=abc123 sent s3cr3t-value-42 ApiKey: 99"
    )
    assert "eyJhbGciOi" not in text
    assert "abc123" not in text
    assert "s3cr3t-value-42" not in text
    assert text.count(MASK) >= 4


def test_a_lookup_logs_its_url_without_the_key(engine: LookupEngine, isolated_dirs) -> None:
    log_path = configure_logging()
    assert log_path is not None
    ring = recent_log_lines()

    async def go():
        try:
            await engine.lookup("leadsquared", {"RequestId": sim.SUCCESS_ID})
        finally:
            await engine.aclose()

    asyncio.run(go())
    logging.getLogger("test").info("careless code logging the key %s", sim.DEMO_API_KEY)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = log_path.read_text(encoding="utf-8")
    assert "logcallcomplete/status" in written
    assert "careless code logging the key ***" in written
    assert sim.DEMO_API_KEY not in written
    assert sim.DEMO_API_KEY not in "\n".join(ring.lines)
    configure_logging(to_file=False)


def test_a_secret_is_masked_in_the_forms_a_vendor_echoes_it_in() -> None:
    """Hand-made encodings: percent-encoding (RFC 3986), JSON escaping (RFC 8259), XML escaping,
    and base64 (RFC 4648) of the secret inside longer data at each of the three alignments."""
    import base64

    secret = 'Echo+/=&<"Key>-42'
    register_secret(secret)
    written = [
        "Echo%2B%2F%3D%26%3C%22Key%3E-42",  # a query value as httpx sends it
        'Echo+/=&<\\"Key>-42',  # inside a JSON string
        'Echo+/=&<\\\\\\"Key>-42',  # our JSON body quoted inside the vendor's JSON
        "Echo+/=&amp;&lt;&quot;Key&gt;-42",  # inside XML
    ]
    written += [
        base64.b64encode(prefix + secret.encode() + b"|tail").decode()
        for prefix in (b"", b"a", b"ab", b"user:")
    ]
    for text in written:
        masked = redact_text(f"vendor said: {text}")
        assert MASK in masked, text
        assert "Key" not in masked.replace("Key>", ""), masked


def test_a_credential_header_registers_its_credential_and_signature() -> None:
    from desktop.core.redact import register_credential_header

    register_credential_header("Bearer tok-header-0001")
    signature = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    register_credential_header(f"auth-v2/ak-1/2026-01-01T00:00:00Z/1800/host/{signature}")
    masked = redact_text(f"got tok-header-0001 and {signature}")
    assert masked == f"got {MASK} and {MASK}"
    register_credential_header("Basic YWRtaW46/cHdk")  # a short last '/' part is no signature
    assert redact_text("cHdk stays") == "cHdk stays"


def test_an_excerpt_is_masked_escaped_and_short() -> None:
    from desktop.core.redact import excerpt, visible

    register_secret("excerpt-secret-0001")
    text = "\x1b[31mred\u202e excerpt-secret-0001 " + "x" * 500
    shown = excerpt(text, 60)
    assert shown.startswith("\\x1b[31mred\\u202e *** ")
    assert shown.endswith("…") and len(shown) <= 61
    assert visible("two\nlines\tand \x07") == "two\nlines\tand \\x07"


def test_a_result_is_masked_in_every_string_it_holds() -> None:
    from desktop.core.models import CallRecord, DetailField, LookupResult
    from desktop.core.redact import redact_model

    register_secret("result-secret-0001")
    clean = LookupResult(vendor="v", profile="p", summary="nothing secret")
    assert redact_model(clean) is clean
    leaky = LookupResult(
        vendor="v",
        profile="p",
        summary="key result-secret-0001",
        calls=[
            CallRecord(
                vendor="v",
                fields=(
                    DetailField(
                        key="k",
                        label="L",
                        value="result-secret-0001",
                        raw={"echo": ["result-secret-0001"]},
                    ),
                ),
                raw={"result-secret-0001": "kept as a name"},
            )
        ],
        notices=["echo result-secret-0001"],
        raw_text='{"key": "result-secret-0001"}',
    )
    masked = redact_model(leaky)
    dumped = masked.model_dump_json()
    assert 'result-secret-0001"' not in dumped.replace('"result-secret-0001":', "")
    assert masked.calls[0].fields[0].value == MASK
    assert masked.calls[0].fields[0].raw == {"echo": [MASK]}
    assert masked.notices == [f"echo {MASK}"]


@pytest.mark.parametrize(
    "where",
    ["status_message", "a value", "a nested value", "a value's key only"],
)
def test_a_page_of_attempts_is_masked_where_any_text_holds_a_secret(where: str) -> None:
    """One check over the page finds a secret in any text an attempt holds, and only then
    are the attempts masked; a clean page comes back as it was."""
    from desktop.core.models import CompactRecord, EscalationAttempt
    from desktop.core.redact import redact_each

    register_secret("page-secret-0001")

    def attempt(index: int, **values: JsonValue) -> EscalationAttempt:
        return EscalationAttempt(vendor="v", attempt_id=f"a-{index}", status_message="rang",
                                 values=CompactRecord({"_id": f"a-{index}", **values}))  # fmt: skip

    clean = [attempt(index, note={"deep": ["nothing"]}) for index in range(3)]
    assert redact_each(clean) is clean
    leaky = {
        "status_message": EscalationAttempt(vendor="v", attempt_id="a-9",
                                            status_message="key page-secret-0001"),
        "a value": attempt(9, note="key page-secret-0001"),
        "a nested value": attempt(9, note={"deep": ["key page-secret-0001"]}),
        "a value's key only": attempt(9, **{"page-secret-0001": "a name"}),
    }[where]  # fmt: skip
    masked = redact_each([*clean, leaky])
    assert masked[:3] == clean
    if where == "a value's key only":  # names stay as they are, as in every record
        assert masked[3] is leaky
        return
    dumped = json.dumps(masked[3].record()) + str(masked[3].as_row())
    assert "page-secret-0001" not in dumped and MASK in dumped
