"""One page of a period load without an answer: the demo, on a loaded machine, lost one request
in a thousand (the server never received it), and the whole load failed on the profile's
timeout. A page is only read, so the loader asks for it once more; a page that again gets no
answer still fails the load with the timeout's words."""

from __future__ import annotations

import json
import threading

from tests.hardening.conftest import run_cli
from tests.support.hostile_server import HostileServer, Reply, SeenRequest

TIMEOUT = 1.0
PAGES = 3


def _attempt(number: int) -> dict[str, object]:
    started = f"2026-11-09T12:{number // 60:02d}:{number % 60:02d}.000Z"
    return {
        "_id": f"c0ffee00-0000-4b1d-9a0c-{number:012d}",
        "incomingCallLogId": {"_type": "ObjectID", "value": f"call-{number}"},
        "status": "Connected",
        "isAnswered": True,
        "dialDurationInSeconds": 20,
        "startedAt": {"_type": "DateTime", "value": started},
    }


def _pages(unanswered: int) -> tuple[HostileServer, list[int]]:
    """A period of three pages whose page at skip=100 is held past the timeout ``unanswered``
    times before it is answered; the skips asked for, in order."""
    asked: list[int] = []
    lock = threading.Lock()

    def answer(request: SeenRequest) -> Reply:
        if not request.path.endswith("/get-list"):
            return Reply.json({"count": 0})
        skip = int(request.query.get("skip", ["0"])[0])
        with lock:
            asked.append(skip)
            held = skip == 100 and asked.count(100) <= unanswered
        data = [_attempt(skip + n) for n in range(100)]
        return Reply.json({"data": data, "count": 100 * PAGES}, delay=3 * TIMEOUT if held else 0)

    return HostileServer(answer), asked


def _report(make_profile, cli_env: dict[str, str], server: HostileServer):
    make_profile("oneuptime", server.url, {"ApiKey": "lost-page-key-0001"}, {"projectId": "p1"},
                 timeout=TIMEOUT)  # fmt: skip
    return run_cli({**cli_env, "TZ": "UTC"}, "oneuptime", "report", "startedAtFrom=2026-11-09",
                   "startedAtTo=2026-11-09", "--by", "day", "--format", "json")  # fmt: skip


def test_a_page_without_an_answer_is_asked_once_more_and_the_load_completes(
    make_profile, cli_env: dict[str, str]
) -> None:
    server, asked = _pages(unanswered=1)
    with server:
        done = _report(make_profile, cli_env, server)
    assert done.returncode == 0, done.stderr
    assert asked.count(100) == 2 and sorted(set(asked)) == [0, 100, 200]
    assert sum(group["attempts"] for group in json.loads(done.stdout)) == 100 * PAGES


def test_a_page_that_again_gets_no_answer_fails_the_load_in_the_timeouts_words(
    make_profile, cli_env: dict[str, str]
) -> None:
    server, asked = _pages(unanswered=2)
    with server:
        done = _report(make_profile, cli_env, server)
    assert done.returncode != 0
    assert "no answer within 1 s" in done.stderr and "Traceback" not in done.stderr
    assert asked.count(100) == 2
