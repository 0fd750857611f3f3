"""Huawei AICC: tokenByAkSk and queryCallInfoByCallId, as documented (cec_07_0063).

An unknown call ID is answered with an empty object: the real answer is not documented.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence

from desktop.simulator.server import DemoSetup, Route, SimRequest, SimResponse, VendorSimulator

DEMO_APP_KEY = "demo-aicc-app"
DEMO_APP_SECRET = "demo-aicc-secret-51c2"
MAX_TOKEN_SECONDS = 3600

CALLS: dict[str, dict[str, object]] = {
    "1652317325-339": {
        "caller": 70004,
        "called": 60015,
        "mediaAbility": 1,
        "calldata": "1",
        "callId": "1652317325-339",
        "callSkillId": 1,
        "callSkill": "voice",
        "callType": 0,
    },
    "1700000000-101": {
        "caller": "013800138000",
        "called": "60015",
        "mediaAbility": 2,
        "calldata": "order=48213",
        "callId": "1700000000-101",
        "callSkillId": 4,
        "callSkill": "video",
        "callType": 7,
    },
}


class HuaweiAiccSimulator(VendorSimulator):
    key = "huawei-aicc"
    demo = DemoSetup(
        settings={
            "app_key": DEMO_APP_KEY,
            "userId": "1652268429538866153",
            "tenantId": "202205116084",
            "agentId": "109",
            "X-Token-Expire": "600",
        },
        secrets={"app_secret": DEMO_APP_SECRET},
        sample_inputs={"callId": "1652317325-339"},
    )

    def __init__(self) -> None:
        self._tokens: dict[str, float] = {}  # token -> monotonic expiry
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        #: tokenByAkSk calls answered with a token (tests count them).
        self.tokens_issued = 0
        #: Seconds before "now" that tokens say they were created, as when the gateway hands
        #: back a token it issued earlier (CreateTime in the past, Expires unchanged).
        self.token_age_seconds = 0

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
            self.tokens_issued = 0
            self.token_age_seconds = 0

    def expire_tokens(self) -> None:
        """Every token issued so far stops working, as after its lifetime."""
        with self._lock:
            self._tokens.clear()

    def routes(self) -> Sequence[Route]:
        return (
            Route.of({"POST"}, r"/apigovernance/api/oauth/tokenByAkSk", self.token),
            Route.of({"POST"}, r"/apiaccess/rest/workbench/v1/queryCallInfoByCallId", self.query),
        )

    def token(self, request: SimRequest) -> SimResponse:
        body = request.json()
        if not isinstance(body, dict) or (body.get("app_key"), body.get("app_secret")) != (
            DEMO_APP_KEY,
            DEMO_APP_SECRET,
        ):
            return SimResponse.json({"message": "Invalid app_key or app_secret."}, 401)
        try:
            lifetime = min(MAX_TOKEN_SECONDS, int(request.header("X-Token-Expire") or 600))
        except ValueError:
            return SimResponse.json({"message": "X-Token-Expire must be a number."}, 400)
        with self._lock:
            age = self.token_age_seconds
            token = f"aicc-token-{next(self._serial):05d}-{int(time.time())}"
            self._tokens[token] = time.monotonic() + lifetime - age
            self.tokens_issued += 1
        return SimResponse.json(
            {
                "AccessToken": token,
                "ApplyType": "Bearer",
                "CreateTime": str(int(time.time()) - age),
                "Expires": str(lifetime),
                "Scope": "default",
                "AppKey": DEMO_APP_KEY,
                "UserID": "Anonymous",
            }
        )

    def _authorized(self, request: SimRequest) -> bool:
        header = request.header("Authorization") or ""
        token = header.removeprefix("Bearer ")
        with self._lock:
            expiry = self._tokens.get(token)
        return header.startswith("Bearer ") and expiry is not None and expiry > time.monotonic()

    def query(self, request: SimRequest) -> SimResponse:
        if not self._authorized(request):
            return SimResponse.json({"message": "Unauthorized: token invalid or expired."}, 401)
        body = request.json()
        if not isinstance(body, dict) or not all(
            isinstance(body.get(name), str) and body.get(name)
            for name in ("callId", "userId", "tenantId", "agentId")
        ):
            return SimResponse.json({"message": "callId, userId, tenantId, agentId required"}, 400)
        return SimResponse.json(CALLS.get(str(body["callId"]), {}))
