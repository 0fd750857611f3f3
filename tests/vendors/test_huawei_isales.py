"""Huawei CC-iSales against the simulator over HTTP: signature, codes, recording link."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from desktop.core.errors import (
    BadCredentialsError,
    InvalidInputError,
    NotFoundError,
    VendorRejectedError,
)
from desktop.core.timefmt import local_text
from desktop.engine import LookupEngine
from desktop.simulator.huawei_isales import ERROR_DESCRIPTIONS
from desktop.vendors.huawei_isales import ERROR_CODES


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
    assert call.value("callStatus") == "6 (succeeded)"
    assert call.value("failCode") == "00000 (success)"
    assert call.value("resultCode") == "OB99999"
    assert call.value("ackBeginTime") == "2022-02-10 11:45:43"
    assert call.value("callBeginTime") == "2022-02-10 11:45:47"
    assert call.value("callEndTime") == "2022-02-10 11:45:51"
    (link,) = result.recordings
    assert "Signature=" in link.url
    assert link.expires_at is not None
    assert not link.is_expired()


def test_failed_call_numeric_status_and_fail_code(engine) -> None:
    call = lookup(engine, vdnId="8", callId="1644464743-1390").calls[0]
    assert call.value("callStatus") == "5 (failed)"
    assert call.value("failCode") == "00146 (nobody answers)"
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
