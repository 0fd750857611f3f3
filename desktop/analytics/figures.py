"""The review's figures, aggregated from the cache: counts and sums in SQL, dial-time medians and
90th percentiles from one ordered pass over the dial times (no attempt objects are built).

Definitions (the tests compute each by hand): an attempt is answered when the vendor says so;
the answer rate is answered / attempts; the median is the middle dial time (the mean of the two
middle ones for an even count); the 90th percentile is the nearest rank (the smallest dial time
with at least 90 % of the group's at or below it). For a call, "attempts until answered" counts
its rings up to and including the first answered one, and "time to answer" runs from its first
ring's start to the answered ring's start.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from desktop.analytics import call_rollup, json_rows, rollup
from desktop.analytics.cache import ATTEMPT_COLUMNS, AttemptCache, CachedAttempt, Filters, scope
from desktop.analytics.period import Period
from desktop.analytics.tally import Tally, median, nearest_rank


class GroupBy(StrEnum):
    USER = "user"
    RULE = "rule"
    STATUS = "status"
    CALL = "call"
    HOUR = "hour"
    DAY = "day"


#: The SQL expression each grouping groups by ('' stands for "none sent").
_GROUP_SQL = {
    GroupBy.USER: rollup.DIMENSIONS["user"],
    GroupBy.RULE: rollup.DIMENSIONS["rule"],
    GroupBy.STATUS: rollup.DIMENSIONS["status"],
    GroupBy.CALL: "COALESCE(call_id, '')",
    GroupBy.HOUR: rollup.DIMENSIONS["hour"],
    GroupBy.DAY: "date(started, 'unixepoch', 'localtime')",
}


@dataclass(frozen=True, slots=True)
class GroupFigures:
    group: str
    attempts: int
    answered: int
    calls: int
    total_dial_seconds: float
    median_dial_seconds: float | None
    p90_dial_seconds: float | None
    total_cost_usd_cents: float
    user_name: str | None = None
    #: For a call: rings up to the first answered one, and seconds from first ring to answer
    #: (both None when it was never answered).
    attempts_until_answered: int | None = None
    seconds_to_answer: float | None = None

    @property
    def not_answered(self) -> int:
        return self.attempts - self.answered

    @property
    def answer_rate(self) -> float:
        return json_rows.answer_rate(self.attempts, self.answered)

    def as_json(self, by: GroupBy) -> dict[str, Any]:
        """The CLI's JSON object (the issue names these fields)."""
        row = dict(zip(json_rows.JSON_FIELDS, json_rows.json_values(
            group=self.group, attempts=self.attempts, answered=self.answered, calls=self.calls,
            dial=self.total_dial_seconds, median_dial=self.median_dial_seconds,
            p90=self.p90_dial_seconds, cost=self.total_cost_usd_cents,
        ), strict=True))  # fmt: skip
        if by is GroupBy.USER:
            row["userId"] = self.group or None
            row["userName"] = self.user_name
        if by is GroupBy.CALL:
            row["attemptsUntilAnswered"] = self.attempts_until_answered
            row["secondsToAnswer"] = self.seconds_to_answer
        return row


@dataclass(frozen=True)
class Heatmap:
    """Attempts and missed attempts by local weekday (Monday = 0) and hour."""

    attempts: tuple[tuple[int, ...], ...]
    missed: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Report:
    period: Period
    total: GroupFigures
    groups: dict[GroupBy, list[GroupFigures]] = field(default_factory=dict)
    heatmap: Heatmap | None = None


def _rolled_up(
    cache: AttemptCache, period: Period, filters: Filters, by: GroupBy | None
) -> tuple[str, str] | None:
    """The days whose rollups answer this grouping, brought up to date; None when only the
    attempts can (a filter, or a period not of whole local days)."""
    if filters != Filters():
        return None
    span = rollup.whole_days(period)
    if span is not None:
        cache.refresh_rollup()
    return span


def group_figures(
    cache: AttemptCache, source: str, period: Period, filters: Filters, by: GroupBy | None
) -> list[GroupFigures]:
    """One row per group (or one for the whole period when ``by`` is None), largest first.

    The rows are (group, dial time) counts, from the day rollups when they can answer, else one
    GROUP BY over the attempts: few distinct dial times, so the answer is small and medians come
    exact from its counts; distinct calls per group come from a second read."""
    if by is GroupBy.CALL:
        return call_figures(cache, source, period, filters)
    where, params = scope(source, period, filters)
    key = _GROUP_SQL[by] if by is not None else "''"
    span = _rolled_up(cache, period, filters, by)
    dim = "day" if by in (None, GroupBy.DAY) else str(by)
    if span is not None:
        calls = rollup.distinct_calls(cache, source, period, span, dim, by_day=by is GroupBy.DAY)
        rows: Iterable[tuple[Any, ...]] = rollup.figure_rows(
            cache, source, span, dim, by_day=by is GroupBy.DAY
        )
    else:
        calls = dict(cache.rows(
            f"SELECT {key} AS grp, COUNT(DISTINCT call_id) FROM attempt WHERE {where} "  # noqa: S608 - fixed clauses
            "GROUP BY grp",
            params,
        ))  # fmt: skip
        rows = cache.rows(
            f"SELECT {key} AS grp, dial, COUNT(*), SUM(answered), COALESCE(SUM(cost), 0) "  # noqa: S608 - fixed clauses
            f"FROM attempt WHERE {where} GROUP BY grp, dial ORDER BY grp, dial",
            params,
        )
    names = cache.user_names(source) if by is GroupBy.USER else {}
    figures = []
    # The rows come in group order: one group's tally at a time, made into its figures.
    for group, group_rows in itertools.groupby(rows, key=operator.itemgetter(0)):
        tally = Tally()
        for _group, dial, attempts, answered, cost in group_rows:
            tally.add(dial, attempts, answered, cost)
        figures.append(
            GroupFigures(
                group=group, attempts=tally.attempts, answered=tally.answered,
                calls=calls.get(group, 0), total_dial_seconds=tally.dial,
                median_dial_seconds=median(tally.dials),
                p90_dial_seconds=nearest_rank(tally.dials, 0.9), total_cost_usd_cents=tally.cost,
                user_name=names.get(group),
            )
        )  # fmt: skip
    if by in (GroupBy.HOUR, GroupBy.DAY):
        figures.sort(key=lambda figure: figure.group)
        return figures
    return _sorted_in_runs(figures, key=_largest_first)


def _largest_first(figure: GroupFigures) -> tuple[int, str]:
    return -figure.attempts, figure.group


#: One incoming call's figures as the review's list holds them, a plain tuple: the cyclic
#: collector stops tracking a tuple of numbers and strings, so a third of a million of them add
#: nothing to a full collection's walk, which stalls every thread while it runs. (call,
#: attempts, answered, dial total, median dial, 90th-percentile dial, cost, attempts until
#: answered, seconds from first ring to answer); the last two are None for a call never answered.
CallRow = tuple[str, int, int, float, float | None, float | None, float, int | None, float | None]


def call_rows(cache: AttemptCache, source: str, period: Period, filters: Filters) -> list[CallRow]:
    """One row per incoming call, most attempts first. Without filters the calls that ring only
    within the period come from the per-call rollup, already in that order, and the few that
    cross its edges are counted over their attempts in it; with filters, every call is."""
    if filters != Filters():
        where, params = scope(source, period, filters)
        rings = cache.each_row(
            f"SELECT {call_rollup.TALLY_COLUMNS} FROM attempt WHERE {where} "  # noqa: S608 - fixed clauses
            f"{call_rollup.TALLY_ORDER}",
            params,
        )
        return _sorted_in_runs(
            [_call_row(row) for row in call_rollup.tally_calls(rings)], key=_most_attempts_first
        )
    cache.refresh_rollup()
    bounds = (period.start.timestamp(), period.end.timestamp())
    cut = _cut_rows(cache, source, bounds)
    inside: list[CallRow] = call_rollup.inside_rows(cache.rows, source, bounds)
    if not cut:
        return inside
    return list(heapq.merge(inside, cut, key=_most_attempts_first))


def _cut_rows(cache: AttemptCache, source: str, bounds: tuple[float, float]) -> list[CallRow]:
    """The calls ringing both inside and outside the bounds, counted over their attempts inside
    them, most attempts first."""
    crossing = call_rollup.crossing_calls(cache.rows, source, bounds)
    return sorted(map(_call_row, _crossing_tallies(cache, source, crossing, bounds)),
                  key=_most_attempts_first)  # fmt: skip


def _most_attempts_first(row: CallRow) -> tuple[int, str]:
    return -row[1], row[0]


#: Calls whose JSON objects are made (and written) at once.
JSON_CHUNK = 1_000


def call_json_objects(
    cache: AttemptCache, source: str, period: Period, filters: Filters, *, chunk: int = JSON_CHUNK
) -> Iterator[str]:
    """The CLI's per-call JSON objects (``json_rows.CALL_JSON_FIELDS``) in ``call_rows``' order,
    as ``json.dumps(objects, indent=2, ensure_ascii=False)`` writes them in the list, a text of
    up to ``chunk`` objects at a time (``json_rows.objects_text``). Without filters the calls
    inside the period are the formats the call rollup keeps (a third of a million calls took
    seconds to write value by value), and the few crossing its edges are merged in; with
    filters every call is formatted here."""
    if filters != Filters():
        rows = call_rows(cache, source, period, filters)
        for first in range(0, len(rows), chunk):
            yield json_rows.objects_text(_json_formats(rows[first : first + chunk]),
                                         json_rows.CALL_JOINTS)  # fmt: skip
        return
    cache.refresh_rollup()
    bounds = (period.start.timestamp(), period.end.timestamp())
    cut = _cut_rows(cache, source, bounds)
    # Each crossing call's place in the order, and its format.
    pending = list(zip(map(_most_attempts_first, cut), _json_formats(cut), strict=True))
    inside = call_rollup.inside_formats(cache.each_row, source, bounds)
    while batch := list(itertools.islice(inside, chunk)):
        attempts, call, _format = batch[-1]
        due = bisect.bisect_right(pending, ((-attempts, call),))
        if due:  # crossing calls that go before this batch's end: merged into it
            placed = (((-attempts, call), format_) for attempts, call, format_ in batch)
            formats = [format_ for _key, format_ in heapq.merge(placed, pending[:due])]
            del pending[:due]
        else:
            formats = [format_ for _attempts, _call, format_ in batch]
        yield json_rows.objects_text(formats, json_rows.CALL_JOINTS)
    if pending:
        yield json_rows.objects_text([format_ for _key, format_ in pending], json_rows.CALL_JOINTS)


def _json_formats(rows: Sequence[CallRow]) -> list[str]:
    values = list(map(json_rows.call_json_values, rows))
    return json_rows.object_formats(values, len(json_rows.CALL_JSON_FIELDS))


def call_figures(
    cache: AttemptCache, source: str, period: Period, filters: Filters
) -> list[GroupFigures]:
    """``call_rows`` as figures."""
    return [
        GroupFigures(call, attempts, answered, json_rows.call_count(call), dial, median_dial,
                     p90, cost, attempts_until_answered=until, seconds_to_answer=to_answer)
        for call, attempts, answered, dial, median_dial, p90, cost, until, to_answer
        in call_rows(cache, source, period, filters)
    ]  # fmt: skip


def _crossing_tallies(
    cache: AttemptCache, source: str, calls: list[str], bounds: tuple[float, float]
) -> Iterator[call_rollup.CallFigures]:
    """The figures of these calls (in call order) over their attempts within the bounds.
    (Named index: the planner would rather range-scan the whole period by start time.)"""
    attempts = f"SELECT {call_rollup.TALLY_COLUMNS} FROM attempt INDEXED BY attempt_call "  # noqa: S608
    within = f"AND started BETWEEN ? AND ? {call_rollup.TALLY_ORDER}"
    for chunk in range(0, len(calls), 500):
        keys = calls[chunk : chunk + 500]
        marks = ",".join("?" * len(keys))
        # The call '' is the attempts with no call ID as well: they sort first, as '' does.
        no_id = cache.rows(
            f"{attempts} WHERE source = ? AND call_id IS NULL {within}", (source, *bounds)
        ) if "" in keys else []  # fmt: skip
        yield from call_rollup.tally_calls(itertools.chain(no_id, cache.rows(
            f"{attempts} WHERE source = ? AND call_id IN ({marks}) {within}",
            (source, *keys, *bounds),
        )))  # fmt: skip


def _call_row(row: call_rollup.CallFigures) -> CallRow:
    return (row.call, row.attempts, row.answered, row.dial, row.median, row.p90, row.cost,
            row.until, row.to_answer)  # fmt: skip


#: Rows sorted at once: a run sorts in a few milliseconds.
_SORT_RUN = 10_000


_Row = TypeVar("_Row")


def _sorted_in_runs(figures: list[_Row], key: Callable[[_Row], tuple[int, str]]) -> list[_Row]:
    """``sorted(figures, key=key)``, in runs merged in Python: one sort of a third of a million
    calls compares in C for a second without letting go of the GIL, and the event loop, whose
    thread needs the GIL, stood still for that long (2.7 s on the loaded benchmark machine)."""
    if len(figures) <= _SORT_RUN:
        return sorted(figures, key=key)
    runs = [
        sorted(figures[first : first + _SORT_RUN], key=key)
        for first in range(0, len(figures), _SORT_RUN)
    ]
    return list(heapq.merge(*runs, key=key))


def heatmap(cache: AttemptCache, source: str, period: Period, filters: Filters) -> Heatmap:
    where, params = scope(source, period, filters)
    attempts = [[0] * 24 for _ in range(7)]
    missed = [[0] * 24 for _ in range(7)]
    span = _rolled_up(cache, period, filters, None)
    if span is not None:
        for day, hour, count, not_answered in rollup.heatmap_rows(cache, source, span):
            weekday = date.fromisoformat(day).weekday()
            attempts[weekday][hour] += count
            missed[weekday][hour] += not_answered
        return Heatmap(tuple(map(tuple, attempts)), tuple(map(tuple, missed)))
    for weekday, hour, count, not_answered in cache.rows(
        "SELECT CAST(strftime('%w', started, 'unixepoch', 'localtime') AS INTEGER) AS day, "  # noqa: S608 - fixed clauses
        "CAST(strftime('%H', started, 'unixepoch', 'localtime') AS INTEGER) AS hour, "
        f"COUNT(*), SUM(1 - answered) FROM attempt WHERE {where} GROUP BY day, hour",
        params,
    ):
        monday_first = (weekday + 6) % 7  # SQLite's %w counts from Sunday
        attempts[monday_first][hour] = count
        missed[monday_first][hour] = not_answered
    return Heatmap(tuple(map(tuple, attempts)), tuple(map(tuple, missed)))


def full_report(cache: AttemptCache, source: str, period: Period, filters: Filters) -> Report:
    """Every figure the review shows but the per-call list (blocking: run it in an executor).

    The per-call list has a row per call (a third of a million for a million attempts) and
    comes from the attempts themselves, so the review asks for it after these are shown."""
    total = group_figures(cache, source, period, filters, None)
    empty = GroupFigures("", 0, 0, 0, 0.0, None, None, 0.0)
    return Report(
        period=period,
        total=total[0] if total else empty,
        groups={
            by: group_figures(cache, source, period, filters, by)
            for by in GroupBy
            if by is not GroupBy.CALL
        },
        heatmap=heatmap(cache, source, period, filters),
    )


def day_text(group: str) -> str:
    """A day group ('2026-11-09') as the trend shows it ('Mon 11-09')."""
    return datetime.combine(date.fromisoformat(group), datetime.min.time(), UTC).strftime(
        "%a %m-%d"
    )


def cell_group(weekday: int, hour: int) -> str:
    """A heatmap cell (Monday = 0) as the drill-down's group ('1-09' is Monday 09:00)."""
    return f"{(weekday + 1) % 7}-{hour:02d}"


#: What a drill-down may narrow by: a grouping, or a heatmap cell.
_DRILL_SQL: dict[str, str] = {
    **{str(by): sql for by, sql in _GROUP_SQL.items()},
    "cell": "strftime('%w-%H', started, 'unixepoch', 'localtime')",
}


def drill_attempts(
    cache: AttemptCache,
    source: str,
    period: Period,
    filters: Filters,
    *,
    by: GroupBy | str,
    group: str,
    limit: int = 100_000,
) -> list[CachedAttempt]:
    """The attempts behind one figure (a group's row, a bar, a day, a heatmap cell)."""
    where, params = scope(source, period, filters)
    sql = (
        f"SELECT {ATTEMPT_COLUMNS} FROM attempt WHERE {where} AND {_DRILL_SQL[str(by)]} = ? "  # noqa: S608 - fixed clauses
        "ORDER BY started, id LIMIT ?"
    )
    return [CachedAttempt(*row) for row in cache.rows(sql, (*params, group, limit))]
