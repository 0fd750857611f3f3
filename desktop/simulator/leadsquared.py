"""LeadSquared Async API status endpoint, as documented
(https://apidocs.leadsquared.com/post-a-call-log-status-api/).

Unknown RequestIds get 404 with LeadSquared's exception body: the real answer for that case is not
documented, so this is a guess the adapter must tolerate either way.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Sequence

from desktop.simulator.server import DemoSetup, Route, SimRequest, SimResponse, VendorSimulator

DEMO_API_KEY = "demo-lsq-4f1c9e7a2b"
RATE_LIMIT = 25
RATE_WINDOW_SECONDS = 5.0

SUCCESS_ID = "6697028b-01a1-4f71-9afc-7b4723eb9d02"
QUEUED_ID = "0f5b2c1e-7d4a-4e8b-9c3f-2a6d8e1b4c70"
FAILED_ID = "a3c9e4f1-5b2d-4c7e-8f1a-9d6b3e2c5a14"
OBJECT_BODY_ID = "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"


def _call_log(session: str, source: str, destination: str, status: str, seconds: int) -> str:
    return json.dumps(
        {
            "SourceNumber": source,
            "DestinationNumber": destination,
            "DisplayNumber": "8068121655",
            "StartTime": "2026-11-20 09:15:00",
            "EndTime": f"2026-11-20 09:{15 + seconds // 60:02d}:{seconds % 60:02d}",
            "CallSessionId": session,
            "CallDuration": str(seconds),
            "Status": status,
            "ResourceURL": f"https://sr.knowlarity.com/vr/fetchsound/?callid={session}",
            "Direction": "Inbound",
        }
    )


def demo_requests() -> dict[str, dict[str, object]]:
    """Status answers by RequestId, shaped like the documentation's example."""
    return {
        SUCCESS_ID: {
            "RequestId": SUCCESS_ID,
            "TaskStatus": {
                "TaskType": "Telephony-LogCall",
                "Status": "Success",
                "StatusReason": "Request was successfully completed",
                "TaskCurrentStep": None,
                "TaskLastStep": "In-Process-Queue",
                "RequestBody": json.dumps(
                    {
                        "SourceNumber": "8077128602",
                        "DestinationNumber": "9399822316",
                        "DisplayNumber": "8068121655",
                        "StartTime": "2020-09-30 13:33:00",
                        "EndTime": "2020-09-30 13:58:00",
                        "CallSessionId": "61df8827-63d1-4f31-bd3c-ae2d9947161d",
                        "CallDuration": "1497",
                        "Status": "Answered",
                        "ResourceURL": "https://sr.knowlarity.com/vr/fetchsound/?callid="
                        "61df8827-63d1-4f31-bd3c-ae2d9947161d",
                        "Direction": "Inbound",
                    }
                ),
                "Message": json.dumps(
                    {
                        "Status": "Success",
                        "Message": "Phone Call Logged Successfully",
                        "ProspectActivityId": "a9532087-0378-11eb-b8e7-0641ba0398c2",
                    }
                ),
            },
        },
        QUEUED_ID: {
            "RequestId": QUEUED_ID,
            "TaskStatus": {
                "TaskType": "Telephony-LogCall",
                "Status": "In-Queue",
                "StatusReason": "Request is queued for processing",
                "TaskCurrentStep": "In-Process-Queue",
                "TaskLastStep": None,
                "RequestBody": _call_log(
                    "3e1f7a52-9c4b-4d1e-a6f8-0b2c5d7e9f13", "9845012345", "8022334455", "Missed", 0
                ),
                "Message": None,
            },
        },
        FAILED_ID: {
            "RequestId": FAILED_ID,
            "TaskStatus": {
                "TaskType": "Telephony-LogCall",
                "Status": "FAILURE",
                "StatusReason": "MXInvalidLeadException: no lead matches SourceNumber 7000000001",
                "TaskCurrentStep": None,
                "TaskLastStep": "In-Process-Queue",
                "RequestBody": _call_log(
                    "7b9d2f40-6e1a-4c3b-8d5e-1f2a3b4c5d6e",
                    "7000000001",
                    "8022334455",
                    "Answered",
                    312,
                ),
                "Message": None,
            },
        },
        OBJECT_BODY_ID: {
            "RequestId": OBJECT_BODY_ID,
            "TaskStatus": {
                "TaskType": "Telephony-LogCall",
                "Status": "success",
                "StatusReason": "Request was successfully completed",
                "TaskCurrentStep": None,
                "TaskLastStep": "In-Process-Queue",
                "RequestBody": json.loads(
                    _call_log(
                        "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
                        "9000012345",
                        "8022334455",
                        "Answered",
                        95,
                    )
                ),
                "Message": {
                    "Status": "Success",
                    "Message": "Phone Call Logged Successfully",
                    "ProspectActivityId": "f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0",
                },
            },
        },
    }


def _error(status: int, exception_type: str, message: str) -> SimResponse:
    return SimResponse.json(
        {"Status": "Error", "ExceptionType": exception_type, "ExceptionMessage": message}, status
    )


class LeadSquaredSimulator(VendorSimulator):
    key = "leadsquared"
    demo = DemoSetup(
        settings={},
        secrets={"x-api-key": DEMO_API_KEY},
        sample_inputs={"RequestId": SUCCESS_ID},
    )

    def __init__(self) -> None:
        self._requests = demo_requests()
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._sent.clear()

    def routes(self) -> Sequence[Route]:
        return (Route.of({"GET"}, r"/1/api/telephony/logcallcomplete/status", self.status),)

    def _over_limit(self, api_key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            window = self._sent.setdefault(api_key, deque())
            while window and now - window[0] >= RATE_WINDOW_SECONDS:
                window.popleft()
            window.append(now)
            return len(window) > RATE_LIMIT

    def status(self, request: SimRequest) -> SimResponse:
        api_key = request.header("x-api-key")
        if api_key != DEMO_API_KEY:
            return _error(
                401,
                "MXUnAuthorizedAccessException",
                "Invalid x-api-key, or the key belongs to another region's host.",
            )
        if self._over_limit(api_key):
            return _error(
                429,
                "MXAPIRateLimitExceededException",
                f"API calls exceeded the limit of {RATE_LIMIT} in "
                f"{RATE_WINDOW_SECONDS:g} second(s)",
            )
        request_id = request.arg("RequestID")
        if not request_id or not request_id.strip():
            return _error(400, "MXInvalidInputException", "RequestID is mandatory.")
        answer = self._requests.get(request_id.strip())
        if answer is None:
            return _error(
                404, "MXRequestNotFoundException", f"No request found with RequestID {request_id}."
            )
        return SimResponse.json(answer)
