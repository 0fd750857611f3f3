"""The OneUptime simulator's list answers pinned byte for byte: its shortcuts for the busy week
(sliced pages, remembered matches of the stored attempts, ready encoded items) must answer
exactly what the plain path did. The digests were taken from the simulator before any of them
(commit 6cf5f31), each body as the handler sends it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from desktop.simulator import oneuptime as sim
from desktop.simulator.server import SimRequest

WEEK = {
    "startedAt": {
        "_type": "InBetween",
        "startValue": "2026-11-09T00:00:00.000Z",
        "endValue": "2026-11-15T23:59:59.999Z",
    }
}
#: What the review's loader asks for (PERIOD_SELECT and the user relation), in its order.
REVIEW_SELECT = {
    **dict.fromkeys(
        ("_id", "updatedAt", "incomingCallLogId", "incomingCallPolicyEscalationRuleId", "userId",
         "status", "dialDurationInSeconds", "callCostInUSDCents", "startedAt", "isAnswered"),
        True,
    ),
    "user": {"_id": True, "name": True},
}  # fmt: skip


def _request(path: str, body: dict[str, Any], **args: str) -> SimRequest:
    return SimRequest(
        "POST",
        f"/api/incoming-call-log-item/{path}",
        {name: [value] for name, value in args.items()},
        {"apikey": sim.ADMIN_KEY, "projectid": sim.PROJECT_ID},
        json.dumps(body).encode(),
    )


def _digest(simulator: sim.OneUptimeSimulator, path: str, body: dict[str, Any], **args: str) -> str:
    answer = (simulator.count if path == "count" else simulator.get_list)(
        _request(path, body, **args)
    )
    assert answer.status == 200, answer.body[:200]
    return hashlib.sha1(answer.body).hexdigest()


LATER = {
    "startedAt": WEEK["startedAt"],
    "updatedAt": {"_type": "GreaterThanOrEqual", "value": "2026-11-15T23:00:00.000Z"},
}
BOTH_BLOCKS = {
    "startedAt": {
        "_type": "InBetween",
        "startValue": "2026-11-01T00:00:00.000Z",
        "endValue": "2027-03-01T00:00:00.000Z",
    }
}
BY_ID = {"_id": "ASC"}
OWN_ORDER = {"status": True, "startedAt": True, "userId": True, "user": {"name": True}}

PAGES: list[tuple[dict[str, Any], str, str, str]] = [
    ({"query": WEEK, "select": REVIEW_SELECT, "sort": BY_ID}, "0", "100",
     "6e0639420e772a4324d68ca4be2e78e6c6c19b0c"),
    ({"query": WEEK, "select": REVIEW_SELECT, "sort": BY_ID}, "54300", "100",
     "9a44d1a02bc9b54dc78b883f0cafc52d798a97f8"),
    ({"query": WEEK, "select": REVIEW_SELECT, "sort": BY_ID}, "99950", "100",
     "eed8d2a76470d6878f7d53142e4ea959b792afeb"),
    ({"query": WEEK, "select": REVIEW_SELECT, "sort": BY_ID}, "100000", "100",
     "b911cdb7442558cedff6c31ac9781d20dccb6d87"),
    ({"query": WEEK, "sort": BY_ID}, "31337", "60", "ad822c210a662dbc21dd2fa3995b36a3edc4e295"),
    ({"query": WEEK, "select": {"_id": True}, "sort": BY_ID}, "77000", "1000",
     "61eed4cfe7e47e0359ffedc20e493012ea5e9db8"),
    ({"query": WEEK, "select": OWN_ORDER, "sort": BY_ID}, "1200", "100",
     "8a33f92a59d475c170e9e10c058e7a9caa0232a7"),
    ({"query": LATER, "select": REVIEW_SELECT, "sort": BY_ID}, "0", "100",
     "57486fd549e17976106d37106b815eed1294e44d"),
    ({"query": BOTH_BLOCKS, "select": REVIEW_SELECT, "sort": BY_ID}, "99990", "30",
     "f11810d9026fea26d89bdd56df4f14a9602d50aa"),
    ({"query": {"incomingCallLogId": sim.CALL_100K}, "sort": {"startedAt": "ASC"}}, "4200", "100",
     "5a5e99fdee837f2ad26a2a1df2dd30bef0bbd608"),
]  # fmt: skip


@pytest.fixture(params=[False, True], ids=["in the app", "standalone"])
def simulator(request: pytest.FixtureRequest) -> sim.OneUptimeSimulator:
    simulator = sim.OneUptimeSimulator()
    simulator.standalone = request.param  # standalone, it remembers what it sent
    ticks = iter(range(1_000_000))
    simulator.clock = lambda: float(next(ticks))  # a second per operation: never rate limited
    return simulator


def test_pages_are_as_before(simulator: sim.OneUptimeSimulator) -> None:
    """Each page twice: the second answer (from whatever was remembered) is the first."""
    assert not sim.OneUptimeSimulator().standalone
    for body, skip, limit, digest in PAGES:
        assert _digest(simulator, "get-list", body, skip=skip, limit=limit) == digest, body
        assert _digest(simulator, "get-list", body, skip=skip, limit=limit) == digest, body
    week_count = _digest(simulator, "count", {"query": WEEK})
    assert week_count == "1962412aea073834716a5f921215771383d77a64"


def test_pages_follow_edits(simulator: sim.OneUptimeSimulator) -> None:
    """A page asked before and after the stored attempts change (one added in the week, one
    of the week deleted) is the page of the new state, not a remembered one."""
    body = {"query": WEEK, "select": REVIEW_SELECT, "sort": BY_ID}
    assert _digest(simulator, "get-list", body, skip="0", limit="1000") == (
        "bdf0dbef9ec74764b3b0bcb9f605bb7b4a96f745"
    )
    added = sim.busy_week_attempt(500) | {"_id": f"{sim.BUSY_ID_PREFIX}000000000500x"}
    sim.seed_attempts(simulator, [added | {"status": "Busy"}])
    simulator._deleted_large.add(f"{sim.BUSY_ID_PREFIX}000000000501")
    assert _digest(simulator, "get-list", body, skip="0", limit="1000") == (
        "5c32c0ff25283345333f07802b5cd17bd91bfe29"
    )
    assert _digest(simulator, "count", {"query": WEEK}) == (
        "1962412aea073834716a5f921215771383d77a64"
    )


def test_selects_that_share_remembered_attempts(simulator: sim.OneUptimeSimulator) -> None:
    """Pages whose selects differ only in the user relation share what is remembered of the
    generated attempts; each still answers as before (digests from commit 6cf5f31)."""
    plain = {name: wanted for name, wanted in REVIEW_SELECT.items() if name != "user"}
    cases = [
        (plain, "54300", "100", "ffb579c1486316981a5a3baf01c2cd573e6c06e5"),
        (REVIEW_SELECT, "54300", "100", "9a44d1a02bc9b54dc78b883f0cafc52d798a97f8"),
        ({}, "10", "5", "13a511800f5ddea0eab083a32ba6952e50f8d453"),
        ({"user": {"_id": True}}, "10", "5", "81888f4168987630f858fc5545801ed3d846bf49"),
        ({"user": {"_id": True}, "userId": True}, "10", "5",
         "77f5deeeac4ccc971f9c6e6b67546834b133116d"),
        ({"userId": True, "user": {"_id": True}}, "10", "5",
         "77f5deeeac4ccc971f9c6e6b67546834b133116d"),
        ({"userId": False, "user": True}, "10", "5", "8ca0e9530ff864e1aaff5f0a58b0987a903a5efc"),
    ]  # fmt: skip
    for select, skip, limit, digest in cases:
        body = {"query": WEEK, "select": select, "sort": BY_ID}
        assert _digest(simulator, "get-list", body, skip=skip, limit=limit) == digest, select


def test_only_a_standalone_simulator_remembers(simulator: sim.OneUptimeSimulator) -> None:
    body = {"query": WEEK, "select": REVIEW_SELECT, "sort": BY_ID}
    _digest(simulator, "get-list", body, skip="500", limit="100")
    assert len(simulator._sent_texts) == (100 if simulator.standalone else 0)
