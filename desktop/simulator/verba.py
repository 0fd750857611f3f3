"""Verint Verba HTTP Business API: RequestToken, GetCallID, GetCallInformation, GetCallURL.

Error codes other than 0 (success) and 2 (call not found) are not documented; the ones used
here for a bad API key, a missing or expired token and several matches are this simulator's
own, with messages in Verba's style, and the adapter reads the message rather than the code.
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Sequence
from xml.sax.saxutils import escape

from desktop.simulator.server import DemoSetup, Route, SimRequest, SimResponse, VendorSimulator

OPEN_API_KEY = "74c8eea0-50c6-40b2-9f3e-252ed501c3c8"
AUTH_API_KEY = "5b1f0e2a-7c3d-4e9f-8a6b-1c2d3e4f5a6b"
DEMO_LOGIN = "supervisor"
DEMO_PASSWORD = "demo-verba-pass-2f8e"
TOKEN_SECONDS = 3600

CALLS: dict[str, dict[str, str]] = {
    "a8343631-9f35-4a3a-83f0-9e81592339fb": {
        "ccdr_id": "a8343631-9f35-4a3a-83f0-9e81592339fb",
        "native_id": "TRS26140192",
        "platform_call_id": "71627389",
        "source_caller_id": "8856",
        "source_name": "Ana Ruiz",
        "destination_caller_id": "+15550123456",
        "destination_name": "Customer",
        "start_time": "2026-11-20 09:15:02.120",
        "end_time": "2026-11-20 09:21:47.880",
        "direction_id": "2",
        "audio_codec_id": "8",
    },
    "c1f2e3d4-5b6a-4978-8a1b-2c3d4e5f6a7b": {
        "ccdr_id": "c1f2e3d4-5b6a-4978-8a1b-2c3d4e5f6a7b",
        "native_id": "TRS26140777",
        "platform_call_id": "71627400",
        "source_caller_id": "+15550987654",
        "source_name": "Customer",
        "destination_caller_id": "8856",
        "destination_name": "Ana Ruiz",
        "start_time": "2026-11-23 10:02:11.000",
        "end_time": "",
        "direction_id": "1",
        "audio_codec_id": "8",
    },
}
LAST, ONGOING = list(CALLS)
#: (extension, status) -> call IDs; two IDs mean the API must refuse with "more than one".
BY_EXTENSION: dict[tuple[str, str], list[str]] = {
    ("8856", "last"): [LAST],
    ("8856", "ongoing"): [ONGOING],
    ("8857", "last"): [LAST, ONGOING],
}


def _envelope(action: str, payload: str = "", *, code: str = "0", error: str = "",
              attributes: str = "") -> SimResponse:  # fmt: skip
    if code == "0":
        response = f'<Response code="0" type="{action}"{attributes}/>'
    else:
        response = (
            f'<Response code="{code}" type="{action}">'
            f"<ErrorMessage>{escape(error)}</ErrorMessage></Response>"
        )
    document = f'<?xml version="1.0" encoding="UTF-8"?>\n<VerbaApi>{response}{payload}</VerbaApi>\n'
    return SimResponse.text(document, 200, "application/xml")


class VerbaSimulator(VendorSimulator):
    key = "verba"
    demo = DemoSetup(
        settings={"login": DEMO_LOGIN},
        secrets={"apiKey": AUTH_API_KEY, "password": DEMO_PASSWORD},
        sample_inputs={"extension": "8856", "status": "last"},
        base_path="/api",  # below the simulator's /verba prefix: http://host:port/verba/api
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._serial = itertools.count(1)
        self.tokens_issued = 0

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
            self.tokens_issued = 0

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def routes(self) -> Sequence[Route]:
        return (Route.of({"GET", "POST"}, r"/api", self.api),)

    def api(self, request: SimRequest) -> SimResponse:
        action = request.arg("action") or ""
        api_key = request.arg("apiKey")
        if api_key not in (OPEN_API_KEY, AUTH_API_KEY):
            return _envelope(action, code="1", error="Invalid API key or the key is disabled.")
        if action == "RequestToken":
            return self._request_token(request)
        if api_key == AUTH_API_KEY and not self._token_valid(request.arg("token")):
            return _envelope(action, code="9",
                             error="This token is expired or never got authenticated.")  # fmt: skip
        handler = {
            "GetCallID": self._get_call_id,
            "GetCallInformation": self._get_call_information,
            "GetCallURL": self._get_call_url,
        }.get(action)
        if handler is None:
            return _envelope(action, code="1", error=f"Unknown action '{action}'.")
        return handler(request)

    def _token_valid(self, token: str | None) -> bool:
        with self._lock:
            expiry = self._tokens.get(token or "")
        return expiry is not None and expiry > time.monotonic()

    def _request_token(self, request: SimRequest) -> SimResponse:
        header = request.header("Authorization") or ""
        try:
            login, _, password = (
                base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
            )
        except (ValueError, UnicodeDecodeError):
            login = password = ""
        if (login, password) != (DEMO_LOGIN, DEMO_PASSWORD):
            return _envelope("RequestToken", code="1",
                             error="Authentication failed: wrong login or password.")  # fmt: skip
        with self._lock:
            token = f"verba-token-{next(self._serial):05d}"
            self._tokens[token] = time.monotonic() + TOKEN_SECONDS
            self.tokens_issued += 1
        return _envelope(
            "RequestToken",
            "<SessionId>4F2A</SessionId><SessionParameterName>jsessionid</SessionParameterName>",
            attributes=f' token="{token}"',
        )

    def _get_call_id(self, request: SimRequest) -> SimResponse:
        extension = request.arg("extension")
        platform = request.arg("platformCallID")
        native = request.arg("nativeID")
        kind = request.arg("type")
        if kind is not None and kind != "manualRecord":
            return _envelope("GetCallID", code="1", error=f"Invalid type '{kind}'.")
        if sum(value is not None for value in (extension, platform, native)) != 1:
            return _envelope(
                "GetCallID",
                code="1",
                error="Exactly one of extension, platformCallID, nativeID is needed.",
            )
        found: list[str] = []
        if extension is not None:
            statuses = (request.arg("status") or "").split(",")
            if not statuses or any(s not in ("ongoing", "next", "last") for s in statuses):
                return _envelope("GetCallID", code="1", error="Invalid status.")
            for status in statuses:  # a combination tries each in turn
                found = BY_EXTENSION.get((extension, status), [])
                if found:
                    break
        else:
            field, wanted = ("platform_call_id", platform) if platform else ("native_id", native)
            found = [key for key, call in CALLS.items() if call[field] == wanted]
        if len(found) > 1:
            return _envelope("GetCallID", code="3", error="Unable to retrieve the call "
                             "identifier, because more than one call matches.")  # fmt: skip
        if not found:
            return _envelope("GetCallID", code="2", error="Unable to retrieve the call "
                             "identifier, because the call cannot be found.")  # fmt: skip
        return _envelope("GetCallID", f"<CallID>{found[0]}</CallID>")

    def _get_call_information(self, request: SimRequest) -> SimResponse:
        call = CALLS.get(request.arg("callID") or "")
        if call is None:
            return _envelope("GetCallInformation", code="2", error="The call cannot be found.")
        elements = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in call.items())
        return _envelope("GetCallInformation", f'<verbacdr state="1">{elements}</verbacdr>')

    def _get_call_url(self, request: SimRequest) -> SimResponse:
        call_id = request.arg("callID") or ""
        if call_id not in CALLS:
            return _envelope("GetCallURL", code="2", error="The call cannot be found.")
        url = f"https://recorder.example.com/verba/gwtCallDetail.do?ccdrId={call_id}"
        return _envelope("GetCallURL", f"<URL>{escape(url)}</URL>")
