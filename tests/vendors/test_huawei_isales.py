"""Huawei CC-iSales against the simulator over HTTP: signature, codes, recording link."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from desktop.core.errors import (
    BadCredentialsError,
    ConfigurationError,
    InvalidInputError,
    NotFoundError,
    VendorRejectedError,
)
from desktop.core.timefmt import local_text
from desktop.engine import LookupEngine
from desktop.simulator import huawei_isales as sim
from desktop.simulator.huawei_isales import ERROR_DESCRIPTIONS
from desktop.simulator.registry import DEMO_PROFILE_NAME, all_vendor_simulators, demo_profiles
from desktop.simulator.server import Simulator
from desktop.vendors.huawei_isales import ERROR_CODES
from desktop.vendors.huawei_signing import (
    SignatureEncoding,
    SignatureLayout,
    huawei_timestamp,
    sign_request,
)
from tests.support.tls import self_signed_certificate, server_context


def lookup(engine: LookupEngine, **params: str):
    async def go():
        try:
            return await engine.lookup("huawei-isales", params)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def test_successful_call_with_recording(engine) -> None:
    result = lookup(engine, vdnId="8", callId="1644464743-1388")
    call = result.calls[0]
    assert call.value("called") == "88881955"
    assert call.value("callStatus") == "6 — succeeded"
    assert call.value("failCode") == "00000 — none (the call did not fail)"
    assert call.value("resultCode") == "OB99999"
    assert call.value("ackBeginTime") == "2022-02-10 11:45:43"
    assert call.value("callBeginTime") == "2022-02-10 11:45:47"
    assert call.value("callEndTime") == "2022-02-10 11:45:51"
    # The API names no zone: the server's clock reading stays naive (screens say so).
    started = next(field for field in call.fields if field.key == "callBeginTime")
    assert started.moment == datetime(2022, 2, 10, 11, 45, 47)
    (link,) = result.recordings
    assert "Signature=uztQO" in link.url
    assert "Signature=…" in (call.value("recordPath") or "")  # masked on screen
    assert "uztQO" not in (call.value("recordPath") or "")
    assert result.records()[0]["recordPath"] == link.url  # exports keep the whole link
    assert link.expires_at is not None
    assert not link.is_expired()


def test_a_malformed_recording_link_is_kept_masked_and_does_not_fail_the_lookup(engine) -> None:
    result = lookup(engine, vdnId="8", callId="1644464743-1392")
    (link,) = result.recordings
    assert link.url.startswith("https://rec:pa55w0rd@[::1/")  # kept whole for copy
    assert link.expires_at is None  # the link cannot be read, so neither can its expiry
    shown = result.calls[0].value("recordPath")
    assert shown == "https://…@[::1/isales/record/x?Expires=1644484560&Signature=…"


def test_failed_call_numeric_status_and_fail_code(engine) -> None:
    call = lookup(engine, vdnId="8", callId="1644464743-1390").calls[0]
    assert call.value("callStatus") == "5 — failed"
    assert call.value("failCode") == "00146 — nobody answers"
    assert call.value("called") == "013912345678"


def test_expired_recording_is_marked(engine) -> None:
    (link,) = lookup(engine, vdnId="8", callId="1644464743-1391").recordings
    assert link.expires_at == datetime.fromtimestamp(1644484560, UTC)
    assert link.is_expired()


def test_recording_expiry_has_its_own_row_in_local_time(engine) -> None:
    call = lookup(engine, vdnId="8", callId="1644464743-1391").calls[0]
    assert call.value("recordPathExpires") == local_text(datetime.fromtimestamp(1644484560, UTC))


def test_no_recording_no_expiry_row(engine) -> None:
    call = lookup(engine, vdnId="8", callId="1644464743-1390").calls[0]
    assert call.value("recordPath") is None
    assert call.value("recordPathExpires") is None


def test_vdn_id_defaults_from_the_profile(engine) -> None:
    result = lookup(engine, callId="1644464743-1388")
    assert result.params["vdnId"] == "8"


def test_unknown_call_is_not_found_with_the_vendor_description(engine) -> None:
    with pytest.raises(NotFoundError) as caught:
        lookup(engine, vdnId="8", callId="1644464743-0000")
    assert caught.value.vendor_code == "0200007"
    assert "does not exist" in caught.value.describe()


@pytest.mark.parametrize("code", sorted(set(ERROR_DESCRIPTIONS) - {"0200007"}))
def test_every_documented_error_code(engine, code) -> None:
    with pytest.raises(VendorRejectedError) as caught:
        lookup(engine, vdnId="8", callId=f"error-{code}")
    assert caught.value.vendor_code == code
    assert ERROR_CODES[code] in caught.value.message


def test_wrong_sk_is_a_bad_signature(engine) -> None:
    engine.secrets.set("huawei-isales", "demo", "sk", "wrong-secret-key")
    with pytest.raises(BadCredentialsError, match="signature"):
        lookup(engine, vdnId="8", callId="1644464743-1388")


def test_base64_variant_is_accepted_when_configured(engine) -> None:
    profile = engine.profiles.resolve("huawei-isales")
    settings = {
        **profile.settings,
        "signature_encoding": "base64",
        "signed_headers": "content-length;content-type;host",
    }
    engine.profiles.save(profile.model_copy(update={"settings": settings}))
    assert lookup(engine, vdnId="8", callId="1644464743-1388").calls


@pytest.mark.parametrize("vdn", ["0", "10000", "-1", "8a"])
def test_vdn_out_of_range_sends_nothing(engine, simulator, vdn) -> None:
    with pytest.raises(InvalidInputError) as caught:
        engine.prepare("huawei-isales", {"vdnId": vdn, "callId": "1644464743-1388"})
    assert caught.value.field == "vdnId"
    assert simulator.request_counts.get("huawei-isales", 0) == 0


def test_call_id_cannot_change_the_path(engine) -> None:
    for hostile in ("../../x", "a/b", "a?b=c", "a#b", "a%2Fb"):
        with pytest.raises(InvalidInputError):
            engine.prepare("huawei-isales", {"vdnId": "8", "callId": hostile})


def signed_get(simulator, sent_path: str, **overrides: object) -> int:
    """Status of a GET to the simulator signed by the client code; ``overrides`` change the
    signature's inputs (AK, SK, timestamp, signed headers, or the path that was signed)."""
    import httpx

    root = simulator.base_url("huawei-isales")
    host = urlsplit(root).netloc
    inputs: dict[str, Any] = {
        "method": "GET",
        "path": urlsplit(root).path + str(overrides.pop("path", sent_path)),
        "query": {},
        "headers": {"Content-Type": "application/json; charset=UTF-8", "Host": host},
        "body": b"",
        "access_key": sim.DEMO_AK,
        "secret_key": sim.DEMO_SK,
        "timestamp": huawei_timestamp(),
    } | overrides
    authorization = sign_request(**inputs).authorization
    with httpx.Client() as client:
        return client.get(
            root + sent_path,
            headers={
                "Content-Type": "application/json; charset=UTF-8",
                "Authorization": authorization,
            },
        ).status_code


DETAIL = "/rest/isales/v1/openapi/campaigns/8/callresultdetail/1644464743-1388"


def test_simulator_accepts_a_correct_signature(simulator) -> None:
    assert signed_get(simulator, DETAIL) == 200


@pytest.mark.parametrize(
    "tampering",
    [
        {"secret_key": "wrong-secret"},
        {"access_key": "someone-else"},
        {"path": DETAIL.replace("1388", "1390")},  # signed for another call
        {"timestamp": huawei_timestamp(datetime.now(UTC) - timedelta(hours=1))},
        {"signed_headers": ["content-type"]},
        {"encoding": SignatureEncoding.BASE64, "secret_key": "wrong-secret"},
    ],
    ids=["sk", "ak", "path", "stale-timestamp", "host-unsigned", "base64-sk"],
)
def test_simulator_refuses_a_wrong_signature_with_401(simulator, tampering) -> None:
    assert signed_get(simulator, DETAIL, **tampering) == 401


def test_isales_over_tls_with_the_servers_self_signed_certificate(tmp_path) -> None:
    """The usual CC-iSales set-up: https://ip:port with a self-signed certificate, trusted
    through the profile's CA bundle (verification stays on)."""
    cert, key = self_signed_certificate(tmp_path)
    with Simulator(all_vendor_simulators(), tls=server_context(cert, key)) as tls_simulator:
        profiles, secrets = demo_profiles(tls_simulator)
        profile = profiles.resolve("huawei-isales")
        assert profile.base_url.startswith("https://")
        profiles.save(profile.model_copy(update={"ca_bundle": str(cert)}))
        result = lookup(LookupEngine(profiles, secrets), vdnId="8", callId="1644464743-1388")
    assert result.calls[0].value("called") == "88881955"


def test_a_profile_without_ak_sends_nothing(engine, simulator) -> None:
    profile = engine.profiles.resolve("huawei-isales")
    settings = {name: value for name, value in profile.settings.items() if name != "ak"}
    engine.profiles.save(profile.model_copy(update={"settings": settings}))
    with pytest.raises(ConfigurationError, match="ak"):
        lookup(engine, vdnId="8", callId="1644464743-1388")
    assert simulator.request_counts.get("huawei-isales", 0) == 0


def test_simulator_refuses_the_legacy_layout_by_default(simulator) -> None:
    """Huawei's own layout is what the simulated server verifies; the ports' older one (empty
    query and body lines, content-type signed, milliseconds) gets 401 like any bad signature."""
    legacy = {
        "layout": SignatureLayout.LEGACY_PORTS,
        "timestamp": huawei_timestamp(layout=SignatureLayout.LEGACY_PORTS),
    }
    assert signed_get(simulator, DETAIL, **legacy) == 401
    assert signed_get(simulator, DETAIL) == 200
    simulator.vendors["huawei-isales"].accepted_layouts = frozenset({"legacy-ports"})
    assert signed_get(simulator, DETAIL, **legacy) == 200
    assert signed_get(simulator, DETAIL) == 401


def probe(engine: LookupEngine, profile: str = DEMO_PROFILE_NAME):
    async def go():
        try:
            return await engine.check_connection("huawei-isales", profile)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def test_the_probe_finds_the_layout_the_server_accepts(engine, simulator) -> None:
    simulator.vendors["huawei-isales"].accepted_layouts = frozenset({"legacy-ports"})
    with pytest.raises(BadCredentialsError):
        lookup(engine, vdnId="8", callId="1644464743-1388")  # the profile's default: huawei-sdk
    outcome = probe(engine)
    assert outcome.message == (
        "The server accepted layout legacy-ports with hex signatures. "
        "CC-iSales accepted the AK/SK signature (the test call is unknown, as expected)."
    )
    assert outcome.settings == {"signature_layout": "legacy-ports"}  # only what changes


def test_the_probe_reports_the_profiles_own_settings_when_they_work(engine) -> None:
    outcome = probe(engine)
    assert outcome.message.startswith("The server accepted layout huawei-sdk with hex signatures.")
    assert outcome.settings == {}  # nothing to change


def test_the_probe_fails_when_no_layout_is_accepted(engine, simulator) -> None:
    simulator.vendors["huawei-isales"].accepted_layouts = frozenset()
    with pytest.raises(BadCredentialsError, match="every known signature layout"):
        probe(engine)


def test_vendor_times_become_iso_8601_without_inventing_a_zone() -> None:
    from desktop.vendors.base import iso_time, number_value

    assert iso_time("2022-02-10 11:45:51") == "2022-02-10T11:45:51"  # CC-iSales: no zone
    assert iso_time("2020-09-30 13:33:00", utc=True) == "2020-09-30T13:33:00Z"  # documented UTC
    assert iso_time("2026-11-20 09:15:02.120") == "2026-11-20T09:15:02.120"  # digits as sent
    assert iso_time("2026-11-20T09:15:00+0530") == "2026-11-20T09:15:00+05:30"
    assert iso_time("yesterday") == "yesterday"
    assert iso_time(1644484560) == 1644484560
    assert (number_value("1497"), number_value("12.5"), number_value("n/a")) == (1497, 12.5, "n/a")
