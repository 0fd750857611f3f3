"""The CLI's per-call JSON written from the objects the call rollup keeps (SQLite's printf filling
formats Python made) against ``json.dumps`` of the list's objects, byte for byte: call IDs with
quotes, line breaks, control characters, printf's own '%' sequences and text beyond ASCII, the
attempts without a call ID, fractional, negative-zero, infinite and missing figures; and a cache
whose call rollup predates the kept objects."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.analytics import report_cli
from desktop.analytics.cache import AttemptCache, CachedAttempt, Filters
from desktop.analytics.figures import GroupBy, call_json_objects, group_figures
from desktop.analytics.period import Period, days

SOURCE = "json-test"
DAY = date(2026, 3, 4)
#: Call IDs as a vendor might send them: JSON's escapes, printf's directives, other scripts.
HOSTILE_CALLS = [
    'say "hi"', "back\\slash", "line\nbreak", "tab\tand\rreturn", "\x00nul\x1fus\x7fdel",
    "%s", "%%", "100% sure %d %", "☎ näive 電話 \u2028\u2029", "😀", "", " ",
]  # fmt: skip


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[AttemptCache]:
    store = AttemptCache(tmp_path / "attempts.sqlite3")
    yield store
    store.close()


def hostile_attempts() -> list[CachedAttempt]:
    start = datetime.combine(DAY, datetime.min.time()).timestamp()
    dials = [12.5, None, -0.0, 1 / 3, float("inf"), 7.0, 1e300, 0.1]
    costs = [2.5, None, 0.1, 3.0, float("-inf"), 1 / 7]
    attempts = []
    for number, call in enumerate(HOSTILE_CALLS * 3):
        ring = start + 3600 + number * 61.123
        attempts.append(CachedAttempt(
            f"attempt-{number:03d}", call or None, f"user-{number % 3}", "rule", "Connected",
            int(number % 4 == 1), dials[number % len(dials)], costs[number % len(costs)],
            ring, ring,
        ))  # fmt: skip
    # One call ringing the evening before as well: it crosses the day's start.
    attempts.append(attempts[4]._replace(attempt_id="attempt-late", started=start - 60.5))
    return attempts


def written_json(cache: AttemptCache, period: Period, filters: Filters, chunk: int) -> str:
    out = io.StringIO()
    objects = call_json_objects(cache, SOURCE, period, filters, chunk=chunk)
    report_cli.write_json_objects(objects, out)
    return out.getvalue()


def expected_json(cache: AttemptCache, period: Period, filters: Filters) -> str:
    listed = group_figures(cache, SOURCE, period, filters, GroupBy.CALL)
    objects = [figure.as_json(GroupBy.CALL) for figure in listed]
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("chunk", [1, 2, 5_000])
def test_hostile_calls_write_what_json_dumps_writes(cache: AttemptCache, chunk: int) -> None:
    cache.upsert(SOURCE, hostile_attempts())
    whole = days(DAY, DAY)
    cut = Period(whole.start + timedelta(hours=1, minutes=5), whole.end)
    for period in (whole, cut):
        for filters in (Filters(), Filters(user_id="user-1")):
            text = written_json(cache, period, filters, chunk)
            assert text == expected_json(cache, period, filters)
    groups = {row["group"] for row in json.loads(written_json(cache, whole, Filters(), chunk))}
    assert groups == set(HOSTILE_CALLS)  # every call, the one without an ID as ""
    assert "Infinity" in text and "-Infinity" in text and "null" in text


def test_an_empty_period_is_an_empty_list(cache: AttemptCache) -> None:
    cache.upsert(SOURCE, hostile_attempts())
    assert written_json(cache, days(date(2020, 1, 1), date(2020, 1, 1)), Filters(), 7) == "[]\n"


def test_a_call_rollup_from_before_the_kept_objects_is_rolled_up_anew(tmp_path: Path) -> None:
    path = tmp_path / "attempts.sqlite3"
    old = AttemptCache(path)
    old.upsert(SOURCE, hostile_attempts())
    old.close()
    with sqlite3.connect(path) as db:  # the table as the release before wrote it
        db.executescript("""
            DROP TABLE call_figure;
            CREATE TABLE call_figure (source TEXT NOT NULL, call TEXT NOT NULL, first REAL NOT
                NULL, last REAL NOT NULL, attempts INTEGER NOT NULL, answered INTEGER NOT NULL,
                dial REAL NOT NULL, median REAL, p90 REAL, cost REAL NOT NULL, until INTEGER,
                to_answer REAL, PRIMARY KEY (source, call)) WITHOUT ROWID;
            CREATE INDEX call_figure_read ON call_figure (source, attempts DESC, call, first,
                last, answered, dial, median, p90, cost, until, to_answer);
            INSERT INTO call_figure VALUES ('json-test', 'stale', 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
            INSERT OR IGNORE INTO call_rollup_built VALUES (1);
        """)
    db.close()
    cache = AttemptCache(path)
    try:
        whole = days(DAY, DAY)
        assert written_json(cache, whole, Filters(), 5) == expected_json(cache, whole, Filters())
        assert cache.rows("SELECT COUNT(*) FROM call_figure WHERE call = 'stale'") == [(0,)]
    finally:
        cache.close()
