"""The C2 auth-v2 signature pinned on fixed inputs, and checked against the simulator's
independent implementation.

Golden vectors for the default layout (``huawei-sdk``). The algorithm is that of Huawei's demo
class ``SignInfo`` as the project's issue 16 quotes it (we could not find the class itself in
public code to read): ``authStringPrefix = "auth-v2/" + AK + "/" + timestamp + "/" +
signedHeaders`` with the timestamp ``yyyy-MM-dd'T'HH:mm:ss'Z'``; ``signingKey =
hex(HMAC-SHA256(SK, authStringPrefix))``; the canonical request is METHOD, URI, the canonical
query only ``if (isNotEmpty(queryParameters))``, the signed header names, the ``name:value``
header lines, and the percent-encoded body only when there is one, joined by "\n";
``signature = hex(HMAC-SHA256(signingKey, canonicalRequest))``. Every value below was computed by
hand from those steps with openssl, not with our code:

    PREFIX='auth-v2/globalaktest/2024-10-31T14:06:52Z/host'
    KEY=$(printf '%s' "$PREFIX" | openssl dgst -sha256 -hmac globalsktest -r | cut -d' ' -f1)
      -> eb963369ca75daa5528f3e6e18f6e9ddc3bf27f28cf791ac516bf4cacfdaf78c
    printf "$CANONICAL" | openssl dgst -sha256 -hmac "$KEY" -r          (hex signature)
    printf "$CANONICAL" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY -binary | base64
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.errors import ConfigurationError
from desktop.core.profiles import Profile
from desktop.simulator.huawei_isales import DEMO_SK, expected_signature
from desktop.simulator.server import SimRequest
from desktop.vendors.huawei_isales import SigningSettings, signed_detail_headers
from desktop.vendors.huawei_signing import (
    SignatureEncoding,
    SignatureLayout,
    encode,
    huawei_timestamp,
    sign_request,
)

LEGACY = SignatureLayout.LEGACY_PORTS
SDK_TIMESTAMP = "2024-10-31T14:06:52Z"
SDK_PREFIX = "auth-v2/globalaktest/2024-10-31T14:06:52Z/host"
SDK_HOST = {"Host": "10.22.26.181:28080"}
SDK_COMMON = {
    "access_key": "globalaktest",
    "secret_key": "globalsktest",
    "timestamp": SDK_TIMESTAMP,
}


def test_golden_get_without_query() -> None:
    """No query: SignInfo writes no query line at all (our legacy layout wrote an empty one),
    and no body line."""
    signature = sign_request(
        method="GET",
        path="/rest/isales/v1/openapi/campaigns/8/callresultdetail/1644464743-1388",
        query={},
        headers={**SDK_HOST, "Content-Type": "application/json; charset=UTF-8"},
        body=b"",
        **SDK_COMMON,  # type: ignore[arg-type]
    )
    assert signature.auth_string_prefix == SDK_PREFIX
    assert signature.canonical_request == (
        "GET\n"
        "/rest/isales/v1/openapi/campaigns/8/callresultdetail/1644464743-1388\n"
        "host\n"
        "host:10.22.26.181%3A28080"
    )
    assert signature.authorization == (
        f"{SDK_PREFIX}/0c3706adf3c14a04e4073b5de49d27f812d05780cfe8bdb5b6c005ea4eabf798"
    )


def test_golden_get_without_query_base64() -> None:
    signature = sign_request(
        method="GET",
        path="/rest/isales/v1/openapi/campaigns/8/callresultdetail/1644464743-1388",
        query={},
        headers=SDK_HOST,
        body=b"",
        encoding=SignatureEncoding.BASE64,
        **SDK_COMMON,  # type: ignore[arg-type]
    )
    assert signature.authorization == f"{SDK_PREFIX}/jneJbh4XhlenIW4foBJejZ9kYGNJqZ1tdRTHus371TE="


def test_golden_get_with_query() -> None:
    """The query line: names and values percent-encoded, pairs sorted, joined by '&'."""
    signature = sign_request(
        method="GET",
        path="/rest/cmsapp/v1/ping",
        query={"b": "2", "a": "x y"},
        headers=SDK_HOST,
        body=b"",
        **SDK_COMMON,  # type: ignore[arg-type]
    )
    assert signature.canonical_request == (
        "GET\n/rest/cmsapp/v1/ping\na=x%20y&b=2\nhost\nhost:10.22.26.181%3A28080"
    )
    assert signature.authorization == (
        f"{SDK_PREFIX}/4c5b49a15704cb469c58837058227d7bb0e671a20ce531e74217fd04f09e30e7"
    )


def test_golden_post_with_body() -> None:
    """A body: percent-encoded (unreserved characters kept) and appended as the last line."""
    signature = sign_request(
        method="POST",
        path="/rest/cmsapp/v1/ping",
        query={},
        headers={**SDK_HOST, "Content-Type": "application/json;charset=UTF-8"},
        body=b'{"say": "Hello world!"}',
        **SDK_COMMON,  # type: ignore[arg-type]
    )
    assert signature.canonical_request == (
        "POST\n/rest/cmsapp/v1/ping\nhost\nhost:10.22.26.181%3A28080\n"
        "%7B%22say%22%3A%20%22Hello%20world%21%22%7D"
    )
    assert signature.authorization == (
        f"{SDK_PREFIX}/0e107bac4d531a96ef050e81195db6f873d297d96b931a8083658cddbe818422"
    )


def test_the_lookup_signs_huaweis_layout_by_default() -> None:
    url = (
        "https://10.22.26.181:28080/rest/isales/v1/openapi/campaigns/8/callresultdetail/"
        "1644464743-1388"
    )
    signing = SigningSettings.of(isales_profile())
    assert signing == SigningSettings(SignatureLayout.HUAWEI_SDK, SignatureEncoding.HEX, None)
    headers = signed_detail_headers(url, signing, "globalaktest", "globalsktest", SDK_TIMESTAMP)
    assert headers["Authorization"] == (
        f"{SDK_PREFIX}/0c3706adf3c14a04e4073b5de49d27f812d05780cfe8bdb5b6c005ea4eabf798"
    )


PING = {
    "method": "POST",
    "path": "/rest/cmsapp/v1/ping",
    "query": {"b": "2", "a": "x y"},
    "headers": {
        "Host": "10.22.26.181:28080",
        "Content-Type": "application/json;charset=UTF-8",
        "Content-Length": "24",
    },
    "body": b'{"say": "Hello world!"}',
    "access_key": "globalaktest",
    "secret_key": "globalsktest",
    "timestamp": "2024-10-31T14:06:52.123Z",
    "signed_headers": ["host", "content-type", "content-length"],
    "layout": LEGACY,
}


def test_canonical_request_is_pinned() -> None:
    signature = sign_request(**PING)  # type: ignore[arg-type]
    assert signature.canonical_request == (
        "POST\n"
        "/rest/cmsapp/v1/ping\n"
        "a=x%20y&b=2\n"
        "content-length;content-type;host\n"
        "content-length:24\n"
        "content-type:application%2Fjson%3Bcharset%3DUTF-8\n"
        "host:10.22.26.181%3A28080\n"
        "%7B%22say%22%3A%20%22Hello%20world%21%22%7D"
    )
    assert signature.auth_string_prefix == (
        "auth-v2/globalaktest/2024-10-31T14:06:52.123Z/content-length;content-type;host"
    )


def test_hex_authorization_is_pinned() -> None:
    assert sign_request(**PING).authorization == (  # type: ignore[arg-type]
        "auth-v2/globalaktest/2024-10-31T14:06:52.123Z/content-length;content-type;host/"
        "21ee132243b77df683bf41dca23211bb08c3466d487f8d04b8f0651688f0c5ea"
    )


def test_base64_authorization_is_pinned() -> None:
    signature = sign_request(**PING, encoding=SignatureEncoding.BASE64)  # type: ignore[arg-type]
    assert signature.authorization.endswith("/pK0vFx44t/Og5uXzgxHHM21u6gbmODSwWC9WOOlKUR0=")


def test_timestamp_format_and_encoding() -> None:
    moment = datetime(2024, 10, 31, 14, 6, 52, 123456, tzinfo=UTC)
    assert huawei_timestamp(moment) == "2024-10-31T14:06:52Z"
    assert huawei_timestamp(moment, LEGACY) == "2024-10-31T14:06:52.123Z"
    assert encode("a b/ü~") == "a%20b%2F%C3%BC~"


def test_missing_signed_header_is_refused() -> None:
    with pytest.raises(ValueError, match="content-length"):
        sign_request(**{**PING, "headers": {"Host": "h", "Content-Type": "x"}})  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    path_segment=st.text(min_size=1, max_size=20),
    body=st.text(max_size=40),
    content_type=st.text(min_size=1, max_size=30).filter(lambda t: t.strip() == t),
    use_base64=st.booleans(),
    layout=st.sampled_from(SignatureLayout),
)
def test_client_and_simulator_agree(path_segment, body, content_type, use_base64, layout) -> None:
    """Two implementations written apart compute the same signature for arbitrary requests."""
    path = "/rest/isales/v1/x/" + encode(path_segment)
    prefix = "auth-v2/ak/2024-10-31T14:06:52.123Z/content-type;host"
    client = sign_request(
        method="GET",
        path=path,
        query={},
        headers={"Host": "127.0.0.1:9", "Content-Type": content_type},
        body=body.encode(),
        access_key="ak",
        secret_key=DEMO_SK,
        timestamp="2024-10-31T14:06:52.123Z",
        layout=layout,
        signed_headers=("content-type", "host"),
        encoding=SignatureEncoding.BASE64 if use_base64 else SignatureEncoding.HEX,
    )
    request = SimRequest(
        method="GET",
        path=path,
        query={},
        headers={"content-type": content_type},
        body=body.encode(),
        raw_path=path,
    )
    server = expected_signature(request, "127.0.0.1:9", prefix, use_base64, layout.value)
    assert client.authorization == f"{prefix}/{server}"


# The legacy-ports layout: the detail GET on the doc's sample host and AK. The
# expected signature was computed apart from Python, with openssl:
#   KEY=$(printf '%s' "$PREFIX" | openssl dgst -sha256 -hmac globalsktest -r | cut -d' ' -f1)
#   printf '%s' "$CANONICAL" | openssl dgst -sha256 -hmac "$KEY" -r
DETAIL_URL = (
    "https://10.22.26.181:28080/rest/isales/v1/openapi/campaigns/8/callresultdetail/1644464743-1388"
)
DETAIL_PREFIX = "auth-v2/globalaktest/2024-10-31T14:06:52.123Z/content-type;host"
DETAIL_CANONICAL = (
    "GET\n"
    "/rest/isales/v1/openapi/campaigns/8/callresultdetail/1644464743-1388\n"
    "\n"
    "content-type;host\n"
    "content-type:application%2Fjson%3B%20charset%3DUTF-8\n"
    "host:10.22.26.181%3A28080\n"
)
DETAIL_SIGNATURE = "8345203347c00b578cbf158947d2f6639a4fc3d25722da2737d1f0c845f909ee"


def isales_profile(**settings: str) -> Profile:
    return Profile(
        vendor="huawei-isales",
        name="golden",
        base_url="https://10.22.26.181:28080",
        settings=settings,
    )


def test_detail_request_canonical_form_is_pinned() -> None:
    signature = sign_request(
        method="GET",
        path=urlsplit(DETAIL_URL).path,
        query={},
        headers={"Content-Type": "application/json; charset=UTF-8", "Host": "10.22.26.181:28080"},
        body=b"",
        access_key="globalaktest",
        secret_key="globalsktest",
        timestamp="2024-10-31T14:06:52.123Z",
        layout=LEGACY,
    )
    assert signature.canonical_request == DETAIL_CANONICAL
    assert signature.authorization == f"{DETAIL_PREFIX}/{DETAIL_SIGNATURE}"


def test_the_lookup_signs_the_legacy_layout_when_the_profile_says_so() -> None:
    signing = SigningSettings.of(isales_profile(signature_layout="legacy-ports"))
    headers = signed_detail_headers(
        DETAIL_URL, signing, "globalaktest", "globalsktest", "2024-10-31T14:06:52.123Z"
    )
    assert headers == {
        "Content-Type": "application/json; charset=UTF-8",
        "Host": "10.22.26.181:28080",
        "Authorization": f"{DETAIL_PREFIX}/{DETAIL_SIGNATURE}",
    }


def test_signing_content_length_sends_it() -> None:
    headers = signed_detail_headers(
        DETAIL_URL,
        SigningSettings.of(
            isales_profile(
                signature_layout="legacy-ports", signed_headers="host;content-type;content-length"
            )
        ),
        "globalaktest",
        "globalsktest",
        "2024-10-31T14:06:52.123Z",
    )
    assert headers["Content-Length"] == "0"
    assert headers["Authorization"].startswith(
        "auth-v2/globalaktest/2024-10-31T14:06:52.123Z/content-length;content-type;host/"
    )


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"signature_encoding": "Base-64"}, "signature_encoding"),
        ({"signature_layout": "sdk"}, "signature_layout"),
        ({"signed_headers": "host;x-tenant"}, "x-tenant"),
    ],
)
def test_unusable_signature_settings_are_configuration_errors(settings, words) -> None:
    with pytest.raises(ConfigurationError, match=words):
        signed_detail_headers(
            DETAIL_URL,
            SigningSettings.of(isales_profile(**settings)),
            "ak",
            "sk",
            "2024-10-31T14:06:52.123Z",
        )
