"""Huawei AICC against the simulator over HTTP: token flow, renewal, errors, parsing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from desktop.core.errors import (
    BadCredentialsError,
    ConfigurationError,
    InvalidInputError,
    NotFoundError,
    UnavailableError,
    VendorRejectedError,
)
from desktop.core.tokens import AccessToken
from desktop.engine import LookupEngine
from desktop.simulator.huawei_aicc import HuaweiAiccSimulator
from desktop.simulator.server import Simulator
from desktop.vendors.huawei_aicc import parse_call_info, remaining_lifetime

CALL = "1652317325-339"


def lookup(engine: LookupEngine, **params: str):
    async def go():
        try:
            return await engine.lookup("huawei-aicc", params)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def aicc(simulator: Simulator) -> HuaweiAiccSimulator:
    vendor = simulator.vendors["huawei-aicc"]
    assert isinstance(vendor, HuaweiAiccSimulator)
    return vendor


def test_call_information_with_code_meanings(engine) -> None:
    result = lookup(engine, callId=CALL)
    call = result.calls[0]
    assert call.value("caller") == "70004"
    assert call.value("called") == "60015"
    assert call.value("callType") == "0 — common incoming call"
    assert call.value("mediaAbility") == "1 — voice"
    assert call.value("callSkill") == "voice"
    assert call.value("callSkillId") == "1"
    assert call.value("calldata") == "1"
    assert result.params == {
        "callId": CALL,
        "userId": "1652268429538866153",
        "tenantId": "202205116084",
        "agentId": "109",
    }


def test_leading_zeros_survive(engine) -> None:
    call = lookup(engine, callId="1700000000-101").calls[0]
    assert call.value("caller") == "013800138000"
    assert call.value("callType") == "7 — common outgoing call"
    assert call.value("mediaAbility") == "2 — video"


def test_unknown_codes_are_shown_raw() -> None:
    result = parse_call_info({"callId": "x", "callType": 99, "mediaAbility": "9"}, "x", "p", {})
    assert result.calls[0].value("callType") == "99"
    assert result.calls[0].by_role is not None


def test_unknown_call_is_not_found(engine) -> None:
    with pytest.raises(NotFoundError, match="no call information"):
        lookup(engine, callId="1652317325-000")


def test_a_token_is_fetched_once_for_ten_concurrent_lookups(engine, simulator) -> None:
    async def ten():
        try:
            return await asyncio.gather(
                *(engine.lookup("huawei-aicc", {"callId": CALL}) for _ in range(10))
            )
        finally:
            await engine.aclose()

    results = asyncio.run(ten())
    assert len(results) == 10
    assert aicc(simulator).tokens_issued == 1
    assert next(iter(engine.tokens.fetch_counts.values())) == 1


def test_expired_token_is_renewed_once(engine, simulator) -> None:
    async def twice():
        try:
            first = await engine.lookup("huawei-aicc", {"callId": CALL})
            aicc(simulator).expire_tokens()
            second = await engine.lookup("huawei-aicc", {"callId": CALL})
            return first, second
        finally:
            await engine.aclose()

    first, second = asyncio.run(twice())
    assert first.calls[0].value("caller") == second.calls[0].value("caller")
    assert aicc(simulator).tokens_issued == 2


def test_a_second_401_means_credentials_rejected(engine, simulator) -> None:
    simulator.add_fault("huawei-aicc", "status:401", count=1)  # the first token request
    with pytest.raises(BadCredentialsError, match="app key and secret"):
        lookup(engine, callId=CALL)


def test_query_rejected_twice_reports_bad_credentials(engine, simulator) -> None:
    async def go():
        try:
            await engine.lookup("huawei-aicc", {"callId": CALL})  # token cached
            simulator.add_fault("huawei-aicc", "status:401", count=2, path="queryCallInfo")
            return await engine.lookup("huawei-aicc", {"callId": CALL})
        finally:
            await engine.aclose()

    with pytest.raises(BadCredentialsError, match="Credentials rejected"):
        asyncio.run(go())
    assert aicc(simulator).tokens_issued == 2  # renewed exactly once


def test_wrong_app_secret(engine) -> None:
    engine.secrets.set("huawei-aicc", "demo", "app_secret", "not-the-secret")
    with pytest.raises(BadCredentialsError, match="app_key and app_secret"):
        lookup(engine, callId=CALL)


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (400, VendorRejectedError, "Incorrect request"),
        (404, NotFoundError, "Check the request path"),
        (500, UnavailableError, "Business failure"),
    ],
)
def test_status_texts_from_the_api_page(engine, simulator, status, error, words) -> None:
    async def go():
        try:
            await engine.lookup("huawei-aicc", {"callId": CALL})  # token first
            simulator.add_fault("huawei-aicc", f"status:{status}", count=3, path="queryCallInfo")
            return await engine.lookup("huawei-aicc", {"callId": CALL})
        finally:
            await engine.aclose()

    with pytest.raises(error, match=words):
        asyncio.run(go())


def test_bad_call_id_sends_nothing(engine, simulator) -> None:
    with pytest.raises(InvalidInputError) as caught:
        engine.prepare("huawei-aicc", {"callId": "a/b"})
    assert caught.value.field == "callId"
    assert simulator.request_counts.get("huawei-aicc", 0) == 0


def _timed(action: Callable[[], object]) -> float:
    """Seconds ``action`` took (a loaded machine takes more than a CI run's usual few ms)."""
    began = time.monotonic()
    action()
    return time.monotonic() - began


def test_token_lifetime_follows_the_requested_x_token_expire(engine, simulator) -> None:
    profile = engine.profiles.resolve("huawei-aicc")
    engine.profiles.save(
        profile.model_copy(update={"settings": {**profile.settings, "X-Token-Expire": "120"}})
    )
    took = _timed(lambda: lookup(engine, callId=CALL))
    # CreateTime has whole seconds, and the answer's way to us ages the token too.
    assert 120 - 1 - took <= cached_token(engine).lifetime <= 120


def test_a_token_handed_back_with_an_old_create_time_is_renewed_sooner(engine, simulator) -> None:
    aicc(simulator).token_age_seconds = 500  # issued 500 s ago, Expires still says 600
    took = _timed(lambda: lookup(engine, callId=CALL))
    assert 100 - 1 - took <= cached_token(engine).lifetime <= 100


def cached_token(engine: LookupEngine) -> AccessToken:
    """The token the lookup left in the cache (a fetch here would fail the test)."""

    async def no_fetch() -> AccessToken:
        raise AssertionError("the lookup should have cached a token")

    (key,) = engine.tokens.fetch_counts
    return asyncio.run(engine.tokens.get(key, no_fetch))


@pytest.mark.parametrize(
    ("body", "lifetime"),
    [
        ({"Expires": "600", "CreateTime": "1000"}, 600.0),  # created now
        ({"Expires": "600", "CreateTime": "900"}, 500.0),  # handed back 100 s old
        ({"Expires": "600", "CreateTime": "1200"}, 600.0),  # our clock is behind: ignored
        ({"Expires": "600", "CreateTime": "0"}, 600.0),  # older than its lifetime: skew
        ({"Expires": 300}, 300.0),
        ({}, 450.0),  # no Expires: what was asked for
        ({"Expires": "0"}, 450.0),
        ({"Expires": "-5"}, 450.0),
        ({"Expires": "inf"}, 450.0),
        ({"Expires": "nan"}, 450.0),
        ({"Expires": "soon"}, 450.0),
        ({"Expires": "99999"}, 3600.0),  # never beyond the documented maximum
        ({"Expires": "600", "CreateTime": "yesterday"}, 600.0),
    ],
)
def test_remaining_lifetime(body, lifetime) -> None:
    assert remaining_lifetime(body, 450, now=1000.0) == lifetime


def test_a_profile_without_app_key_sends_nothing(engine, simulator) -> None:
    profile = engine.profiles.resolve("huawei-aicc")
    settings = {name: value for name, value in profile.settings.items() if name != "app_key"}
    engine.profiles.save(profile.model_copy(update={"settings": settings}))
    with pytest.raises(ConfigurationError, match="app_key"):
        lookup(engine, callId=CALL)
    assert simulator.request_counts.get("huawei-aicc", 0) == 0
