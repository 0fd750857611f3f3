"""One page of a period load without an answer: the demo, on a loaded machine, lost one request
in a thousand (the server never received it), and the whole load failed on the profile's
timeout. A page is only read, so the loader asks for it once more; a page that again gets no
answer still fails the load with the timeout's words."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from tests.hardening.conftest import CliRun, period_attempt, run_cli
from tests.support.hostile_server import HostileServer, Reply, SeenRequest

TIMEOUT = 1.0
PAGES = 3


def _started(number: int) -> str:
    return f"2026-11-09T12:{number // 60:02d}:{number % 60:02d}.000Z"


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
        data = [period_attempt(skip + n, _started(skip + n)) for n in range(100)]
        return Reply.json({"data": data, "count": 100 * PAGES}, delay=3 * TIMEOUT if held else 0)

    return HostileServer(answer), asked


def _report_with_a_page_held(
    make_profile: Callable[..., None], cli_env: dict[str, str], unanswered: int
) -> tuple[CliRun, list[int]]:
    """The day's report over the CLI from ``_pages(unanswered)``: the run and the skips asked."""
    server, asked = _pages(unanswered)
    with server:
        make_profile("oneuptime", server.url, {"ApiKey": "lost-page-key-0001"},
                     {"projectId": "p1"}, timeout=TIMEOUT)  # fmt: skip
        done = run_cli({**cli_env, "TZ": "UTC"}, "oneuptime", "report",
                       "startedAtFrom=2026-11-09", "startedAtTo=2026-11-09", "--by", "day",
                       "--format", "json")  # fmt: skip
    return done, asked


def test_a_page_without_an_answer_is_asked_once_more_and_the_load_completes(
    make_profile, cli_env: dict[str, str]
) -> None:
    done, asked = _report_with_a_page_held(make_profile, cli_env, unanswered=1)
    assert done.returncode == 0, done.stderr
    assert asked.count(100) == 2 and sorted(set(asked)) == [0, 100, 200]
    assert sum(group["attempts"] for group in json.loads(done.stdout)) == 100 * PAGES


def test_a_page_that_again_gets_no_answer_fails_the_load_in_the_timeouts_words(
    make_profile, cli_env: dict[str, str]
) -> None:
    done, asked = _report_with_a_page_held(make_profile, cli_env, unanswered=2)
    assert done.returncode != 0
    assert "no answer within 1 s" in done.stderr and "Traceback" not in done.stderr
    assert asked.count(100) == 2
