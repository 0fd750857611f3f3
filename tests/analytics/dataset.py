"""A small fixed data set whose figures are computed by hand (in the tests, not by the code).

Times are India Standard Time (+05:30, no daylight saving): the period is Monday 2025-01-06 to
Tuesday 2025-01-07 local, so an attempt at 00:10 on the 8th local (18:40 UTC on the 7th) is out
of it although its UTC date is in it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from desktop.analytics.cache import AttemptCache
from desktop.analytics.loader import LoadOutcome, PeriodLoader
from desktop.analytics.period import period_from_texts
from desktop.engine import LookupEngine
from desktop.simulator.oneuptime import PROJECT_ID

ZONE_NAME = "Asia/Kolkata"
IST = timezone(timedelta(hours=5, minutes=30))
FROM_DATE, TO_DATE = "2025-01-06", "2025-01-07"
PAST = "2025-01-08T00:00:00.000Z"

U1, U2, U3 = (f"0d5e1a2b-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))
R1, R2 = (f"0d5e1a2b-0000-4000-8000-0000000000a{n}" for n in (1, 2))
CALL_A, CALL_B, CALL_C, CALL_D, CALL_E = (
    f"0d5e1a2b-0000-4000-8000-0000000000c{n}" for n in range(1, 6)
)
NAMES = {U1: "Una One", U2: "Tom Two", U3: "Thea Three"}


def attempt(
    tag: str, call: str, rule: str, user: str, local: str, status: str, dial: int, cost: int
) -> dict[str, Any]:
    started = datetime.fromisoformat(local).replace(tzinfo=IST)
    utc = started.astimezone(UTC).isoformat(timespec="milliseconds")
    return {
        "_id": f"0d5e1a2b-0000-4000-8000-{tag:0>12}",
        "createdAt": utc.replace("+00:00", "Z"),
        "updatedAt": PAST,
        "projectId": PROJECT_ID,
        "incomingCallLogId": call,
        "incomingCallPolicyEscalationRuleId": rule,
        "userId": user,
        "userPhoneNumber": "+15550100001",
        "status": status,
        "statusMessage": None,
        "dialDurationInSeconds": dial,
        "callCostInUSDCents": cost,
        "startedAt": utc.replace("+00:00", "Z"),
        "endedAt": utc.replace("+00:00", "Z"),
        "isAnswered": status == "Connected",
    }


ATTEMPTS = [
    attempt("a1", CALL_A, R1, U1, "2025-01-06T09:00:00", "NoAnswer", 30, 2),
    attempt("a2", CALL_A, R1, U2, "2025-01-06T09:00:40", "NoAnswer", 20, 1),
    attempt("a3", CALL_A, R1, U3, "2025-01-06T09:01:20", "Connected", 100, 5),
    attempt("b1", CALL_B, R1, U1, "2025-01-06T10:15:00", "Connected", 60, 3),
    attempt("c1", CALL_C, R2, U2, "2025-01-07T23:30:00", "Busy", 10, 1),
    attempt("c2", CALL_C, R2, U2, "2025-01-07T23:30:40", "NoAnswer", 30, 2),
    attempt("d1", CALL_D, R2, U1, "2025-01-07T08:00:00", "Connected", 30, 2),
    # Out of the period in local time, in it by its UTC date.
    attempt("e1", CALL_E, R2, U1, "2025-01-08T00:10:00", "NoAnswer", 99, 9),
]
ADDED = attempt("f1", CALL_E, R2, U3, "2025-01-07T12:00:00", "NoAnswer", 25, 1)


def one_call_attempts(count: int) -> list[dict[str, Any]]:
    """``count`` unanswered attempts of call A, a second apart from 09:00 on the Monday: pages
    enough for a load to fetch several at once."""
    return [
        attempt(f"{n:x}", CALL_A, R1, U1, f"2025-01-06T09:{n // 60:02d}:{n % 60:02d}",
                "NoAnswer", 10, 1)
        for n in range(count)
    ]  # fmt: skip


def load(engine: LookupEngine, cache: AttemptCache, *, full: bool = False) -> LoadOutcome:
    """The data set's period loaded into ``cache`` (the engine is closed after)."""

    async def go() -> LoadOutcome:
        try:
            loader = PeriodLoader(engine, cache, None)
            return await loader.load(period_from_texts(FROM_DATE, TO_DATE), full=full)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def attempt_id(tag: str) -> str:
    return f"0d5e1a2b-0000-4000-8000-{tag:0>12}"


#: (attempts, answered, calls, total dial, median dial, p90 dial, total cost), by hand.
BY_USER = {
    U1: (3, 2, 3, 120, 30, 60, 7),  # dials 30 60 30: the median is a tie of two 30s
    U2: (3, 0, 2, 60, 20, 30, 4),  # no answers
    U3: (1, 1, 1, 100, 100, 100, 5),  # one attempt, all answered
}
BY_RULE = {
    R1: (4, 2, 2, 210, 45, 100, 11),  # dials 20 30 60 100: an even count, median (30+60)/2
    R2: (3, 1, 2, 70, 30, 30, 5),  # dials 10 30 30
}
BY_STATUS = {
    "NoAnswer": (3, 0, 2, 80, 30, 30, 5),
    "Connected": (3, 3, 3, 190, 60, 100, 10),  # all answered
    "Busy": (1, 0, 1, 10, 10, 10, 1),
}
#: Per call: (attempts, attempts until answered, seconds from first ring to answer).
BY_CALL = {CALL_A: (3, 3, 80.0), CALL_B: (1, 1, 0.0), CALL_C: (2, None, None), CALL_D: (1, 1, 0.0)}
BY_DAY = {"2025-01-06": (4, 2), "2025-01-07": (3, 1)}
TOTAL = (7, 3, 4, 280, 30, 100, 16)
#: Heatmap cells (weekday Monday=0, local hour): (attempts, missed).
HEATMAP = {(0, 9): (3, 2), (0, 10): (1, 0), (1, 8): (1, 0), (1, 23): (2, 2)}

#: After a refresh where a2 was answered, c2 deleted and f1 added.
BY_USER_REFRESHED = {
    U1: (3, 2, 3, 120, 30, 60, 7),
    U2: (2, 1, 2, 30, 15, 20, 2),  # a2 (20, now answered) and c1 (10)
    U3: (2, 1, 2, 125, 62.5, 100, 6),  # a3 (100) and f1 (25)
}


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", ZONE_NAME)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
