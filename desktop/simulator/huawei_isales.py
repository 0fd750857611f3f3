"""Huawei CC-iSales single outbound call result, with C2 AK/SK signature verification.

The verification below is written apart from desktop/vendors/huawei_signing.py on purpose: the
tests then check the client against a second reading of the algorithm, and a wrong signature
gets 401 as from the real server. By default it expects the layout of Huawei's own demo class
``SignInfo`` (no query line without a query, no body line without a body); the older layout of
the third-party ports is refused unless ``accepted_layouts`` names it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import unquote

from desktop.simulator.server import DemoSetup, Route, SimRequest, SimResponse, VendorSimulator

DEMO_AK = "demo-isales-ak"
DEMO_SK = "demo-isales-sk-93b1"
CLOCK_SKEW_SECONDS = 15 * 60
SUCCESS = "0200000"

ERROR_DESCRIPTIONS = {
    "0200001": "Parameter error: vdnId is invalid.",
    "0200007": "The call record ID does not exist.",
    "02000001": "Empty parameter.",
    "02000002": "The parameter contains invalid characters.",
    "02000003": "The parameter length cannot exceed the maximum length.",
    "02000004": "The parameter length cannot be less than the minimum length.",
    "02000005": "The parameter length must be within the specified range.",
    "02000006": "Incorrect parameter type.",
    "02000007": "Incorrect parameter value.",
    "02000008": "Parameter conversion error. Check the request parameters.",
    "02000009": "Incorrect parameter combination. Check the request parameters.",
    "02000010": "The hour and minute parameters must be set at the same time.",
    "02000011": "The number of parameters cannot exceed the specified number.",
}
#: Call IDs that answer with one of the documented error codes: "error-<code>".
ERROR_CALL_PREFIX = "error-"


def _record_url(call_id: str, expires: int) -> str:
    return (
        "https://south-aicc-develop.obs.cn-south-1.myhuaweicloud.com:443/isales/record/"
        f"A68CA32800B9684811D698D1B61C1A06/{call_id}?AccessKeyId=ERUDBXB5GOMYURMPLKBO"
        f"&Expires={expires}&Signature=uztQO%2FxI8GOSW2GZJWCBCm8AyAg%3D"
    )


def _results() -> dict[tuple[int, str], dict[str, object]]:
    in_an_hour = int(time.time()) + 3600
    return {
        (8, "1644464743-1388"): {
            "callId": "1644464743-1388",
            "called": "88881955",
            "callEndTime": "2022-02-10 11:45:51",
            "vdnId": 8,
            "callStatus": "6",
            "failCode": "00000",
            "resultCode": "OB99999",
            "callBeginTime": "2022-02-10 11:45:47",
            "recordPath": _record_url("ec96a62d-f56c-4f4e-8f5e-30e7a29f38e5", in_an_hour),
            "ackBeginTime": "2022-02-10 11:45:43",
        },
        (8, "1644464743-1390"): {
            "callId": "1644464743-1390",
            "called": "013912345678",
            "callEndTime": "2022-02-10 11:47:20",
            "vdnId": 8,
            "callStatus": 5,
            "failCode": "00146",
            "resultCode": "OB00146",
            "callBeginTime": "",
            "recordPath": "",
            "ackBeginTime": "2022-02-10 11:46:50",
        },
        (8, "1644464743-1391"): {
            "callId": "1644464743-1391",
            "called": "88881956",
            "callEndTime": "2022-02-10 12:01:09",
            "vdnId": 8,
            "callStatus": "6",
            "failCode": "00000",
            "resultCode": "OB99999",
            "callBeginTime": "2022-02-10 11:58:02",
            "recordPath": _record_url("0b7e52f1-2c44-4f0e-9a3e-77d1c2b9e101", 1644484560),
            "ackBeginTime": "2022-02-10 11:57:55",
        },
        # A broken recording link (unclosed IPv6 bracket, credentials in it): shown masked,
        # never opened, and no reason for the lookup to fail.
        (8, "1644464743-1392"): {
            "callId": "1644464743-1392",
            "called": "88881957",
            "callEndTime": "2022-02-10 12:05:40",
            "vdnId": 8,
            "callStatus": "6",
            "failCode": "00000",
            "resultCode": "OB99999",
            "callBeginTime": "2022-02-10 12:04:12",
            "recordPath": "https://rec:pa55w0rd@[::1/isales/record/x?Expires=1644484560"
            "&Signature=uztQO%2FxI8G",
            "ackBeginTime": "2022-02-10 12:04:01",
        },
    }


def _pct(text: str) -> str:
    """RFC 3986 unreserved characters stay, every other UTF-8 byte becomes %XX."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char.isascii() and (char.isalnum() or char in "-._~"):
            out.append(char)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


HUAWEI_SDK = "huawei-sdk"
LEGACY_PORTS = "legacy-ports"


def expected_signature(
    request: SimRequest, host: str, prefix: str, use_base64: bool, layout: str = HUAWEI_SDK
) -> str:
    """The signature the server computes for this request and auth-string prefix."""
    signed_names = prefix.rsplit("/", 1)[1].split(";")
    header_lines = []
    for name in signed_names:
        value = host if name == "host" else (request.header(name) or "")
        header_lines.append(f"{_pct(name)}:{_pct(value.strip())}")
    query_pairs = sorted(
        f"{_pct(name)}={_pct(values[0])}" for name, values in request.query.items()
    )
    query_line = "&".join(query_pairs)
    body_line = _pct(request.body.decode("utf-8", "replace"))
    legacy = layout == LEGACY_PORTS
    canonical = (
        f"{request.method}\n{request.raw_path}\n"
        + (f"{query_line}\n" if query_line or legacy else "")
        + f"{';'.join(signed_names)}\n{chr(10).join(header_lines)}"
        + (f"\n{body_line}" if body_line or legacy else "")
    )
    first = hmac.new(DEMO_SK.encode(), prefix.encode(), hashlib.sha256)
    if use_base64:
        second = hmac.new(first.digest(), canonical.encode(), hashlib.sha256)
        return base64.b64encode(second.digest()).decode()
    return hmac.new(first.hexdigest().encode(), canonical.encode(), hashlib.sha256).hexdigest()


_AUTH = re.compile(
    r"auth-v2/(?P<ak>[^/]+)/(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z)/(?P<names>[a-z0-9;-]+)"
    r"/(?P<signature>.+)"
)


class HuaweiIsalesSimulator(VendorSimulator):
    key = "huawei-isales"
    demo = DemoSetup(
        settings={"ak": DEMO_AK, "vdnId": "8"},
        secrets={"sk": DEMO_SK},
        sample_inputs={"vdnId": "8", "callId": "1644464743-1388"},
    )

    def __init__(self) -> None:
        #: The canonical-request layouts this server verifies (Huawei's own only, by default).
        self.accepted_layouts: frozenset[str] = frozenset({HUAWEI_SDK})

    def reset(self) -> None:
        self.accepted_layouts = frozenset({HUAWEI_SDK})

    def routes(self) -> Sequence[Route]:
        return (
            Route.of(
                {"GET"},
                r"/rest/isales/v1/openapi/campaigns/(?P<vdn>[^/]+)/callresultdetail/(?P<call>[^/]+)",
                self.detail,
            ),
        )

    def _signature_ok(self, request: SimRequest) -> bool:
        match = _AUTH.fullmatch(request.header("Authorization") or "")
        if match is None or match["ak"] != DEMO_AK:
            return False
        stamp = datetime.fromisoformat(match["ts"].replace("Z", "+00:00")).astimezone(UTC)
        if abs(time.time() - stamp.timestamp()) > CLOCK_SKEW_SECONDS:
            return False
        if "host" not in match["names"].split(";"):
            return False  # the ports of Huawei's demo say the server insists on a signed host
        prefix = f"auth-v2/{match['ak']}/{match['ts']}/{match['names']}"
        host = request.header("Host") or ""
        use_base64 = not re.fullmatch(r"[0-9a-f]{64}", match["signature"])
        return any(
            hmac.compare_digest(
                expected_signature(request, host, prefix, use_base64, layout), match["signature"]
            )
            for layout in sorted(self.accepted_layouts)
        )

    def detail(self, request: SimRequest, vdn: str, call: str) -> SimResponse:
        if not self._signature_ok(request):
            return SimResponse.text("Unauthorized", 401)
        call_id = unquote(call)
        if not vdn.isdigit() or not 1 <= int(vdn) <= 9999:
            return self._error("0200001")
        if call_id.startswith(ERROR_CALL_PREFIX):
            code = call_id.removeprefix(ERROR_CALL_PREFIX)
            if code in ERROR_DESCRIPTIONS:
                return self._error(code)
        data = _results().get((int(vdn), call_id))
        if data is None:
            return self._error("0200007")
        return SimResponse.json(
            {
                "returnCode": SUCCESS,
                "data": data,
                "resultCode": SUCCESS,
                "resultDesc": "Query Success!",
                "returnDesc": "Query Success!",
            }
        )

    @staticmethod
    def _error(code: str) -> SimResponse:
        description = ERROR_DESCRIPTIONS[code]
        return SimResponse.json(
            {
                "returnCode": code,
                "resultCode": code,
                "resultDesc": description,
                "returnDesc": description,
            }
        )
