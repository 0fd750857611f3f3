"""Secrets never reach a log line: by name (headers, parameters) and by value."""

from __future__ import annotations

import asyncio
import logging

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
