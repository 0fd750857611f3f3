"""``calllookup-cli oneuptime report``: a period's escalation figures, grouped, for scripts.

The period's attempts are brought into the local cache first (only what changed, when it was
loaded before), then aggregated there; progress goes to stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal, TextIO

from desktop.analytics.cache import AttemptCache, Filters
from desktop.analytics.figures import (
    JSON_CHUNK,
    GroupBy,
    call_json_objects,
    call_rows,
    group_figures,
)
from desktop.analytics.json_rows import (
    CALL_JSON_FIELDS,
    call_json_values,
    object_formats,
    object_joints,
    objects_text,
)
from desktop.analytics.loader import PeriodLoader
from desktop.analytics.period import Period, period_from_texts
from desktop.core.blocking import run_blocking
from desktop.core.errors import InvalidInputError
from desktop.core.export import EXPORT_FORMATS, ExportFormat, render
from desktop.core.timefmt import hms
from desktop.engine import LookupEngine

#: Filters the report takes besides the period, by the vendor's own field names.
FILTER_PARAMS = {
    "userId": "user_id",
    "incomingCallPolicyEscalationRuleId": "rule_id",
    "status": "status",
}


def add_report_arguments(report: argparse.ArgumentParser) -> None:
    report.add_argument(
        "params", nargs="*", metavar="PARAM=VALUE",
        help="startedAtFrom=DATE startedAtTo=DATE (required; a date alone is the whole day, "
        "local time), optionally userId=, incomingCallPolicyEscalationRuleId=, status=",
    )  # fmt: skip
    report.add_argument("--by", choices=[by.value for by in GroupBy], default=GroupBy.USER.value)
    report.add_argument("--profile", help="profile name")
    report.add_argument("--format", choices=("text", *EXPORT_FORMATS), default="text")


def report_params(params: dict[str, str]) -> tuple[str, str, Filters]:
    unknown = set(params) - {"startedAtFrom", "startedAtTo", *FILTER_PARAMS}
    if unknown:
        raise InvalidInputError(f"report takes no {', '.join(sorted(unknown))}")
    for name in ("startedAtFrom", "startedAtTo"):
        if not params.get(name):
            raise InvalidInputError(f"report needs {name}=DATE", field=name)
    filters = Filters(
        **{FILTER_PARAMS[name]: params[name] for name in FILTER_PARAMS if name in params}
    )
    return params["startedAtFrom"], params["startedAtTo"], filters


def run_report(
    args: argparse.Namespace, params: dict[str, str], engine: LookupEngine, out: TextIO
) -> int:
    start_text, end_text, filters = report_params(params)
    period = period_from_texts(start_text, end_text)  # raises before anything is sent
    by = GroupBy(args.by)
    cache = AttemptCache()

    shown = sys.stderr.isatty()
    progress_line = False

    def progress(done: int, total: int) -> None:
        nonlocal progress_line
        if shown:
            print(f"\rloading attempts: {done:,} of {total:,}", end="", file=sys.stderr)
            progress_line = True

    def end_progress() -> None:
        nonlocal progress_line
        if progress_line:
            print(file=sys.stderr)
            progress_line = False

    async def go() -> None:
        try:
            loader = PeriodLoader(engine, cache, args.profile)
            outcome = await loader.load(period, progress)
            end_progress()
            if outcome.outside:  # the figures are without them: say so, off the data
                print(
                    f"{outcome.outside:,} attempts that OneUptime sent started outside the "
                    "period and were left out.",
                    file=sys.stderr,
                )
            await run_blocking(
                write_period_report, cache, loader.source, period, filters,
                by=by, fmt=args.format, out=out,
            )  # fmt: skip
        finally:
            await engine.aclose()

    try:
        asyncio.run(go())
    finally:
        cache.close()
        end_progress()
    return 0


def write_period_report(
    cache: AttemptCache, source: str, period: Period, filters: Filters, *, by: GroupBy,
    fmt: ExportFormat | Literal["text"], out: TextIO,
) -> None:  # fmt: skip
    """The report from the cache, written (blocking)."""
    if by is GroupBy.CALL and fmt == "json":
        write_json_objects(call_json_objects(cache, source, period, filters), out)
        return
    fields, rows = report_rows(cache, source, period, filters, by)
    write_report(fields, rows, fmt, by, out)


def write_json_objects(texts: Iterable[str], out: TextIO) -> None:
    """A JSON list of objects, as ``json.dumps(..., indent=2)`` writes it, and a line break,
    from texts of objects one after the other (``json_rows.objects_text``)."""
    started = False
    for text in texts:
        if text:
            out.write(",\n" if started else "[\n")
            out.write(text)
            started = True
    out.write("\n]\n" if started else "[]\n")


def report_rows(
    cache: AttemptCache, source: str, period: Period, filters: Filters, by: GroupBy
) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    """The report's JSON objects, one per group, as their fields and each one's values (blocking).
    Per call the values are made as they are written, from the call list's plain rows."""
    if by is GroupBy.CALL:
        return CALL_JSON_FIELDS, map(call_json_values, call_rows(cache, source, period, filters))
    objects = [figure.as_json(by) for figure in group_figures(cache, source, period, filters, by)]
    return (list(objects[0]) if objects else []), [list(row.values()) for row in objects]


def write_report(
    fields: Sequence[str], rows: Iterable[Sequence[Any]], fmt: ExportFormat | Literal["text"],
    by: GroupBy, out: TextIO,
) -> None:  # fmt: skip
    if fmt == "json":
        write_json(fields, rows, out)
        return
    objects = [dict(zip(fields, row, strict=True)) for row in rows]
    if fmt == "text":
        out.write(report_text(objects, by))
    else:
        out.write(render([{k: _cell(v) for k, v in row.items()} for row in objects], fmt))


def write_json(
    fields: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO, *, chunk: int = JSON_CHUNK
) -> None:
    """``json.dumps([dict(zip(fields, row)) for row in rows], indent=2, ensure_ascii=False)``
    and a line break, byte for byte, for rows of plain values (no object or list inside, as
    every report row is); written ``chunk`` rows at a time (``indent`` selects the
    pure-Python encoder: ~7 s for a third of a million calls)."""

    def chunks() -> Iterator[str]:
        each = iter(rows)
        while batch := list(itertools.islice(each, chunk)):
            yield objects_text(object_formats(batch, len(fields)), object_joints(fields))

    write_json_objects(chunks(), out)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def report_text(rows: list[dict[str, Any]], by: GroupBy) -> str:
    header = (by.value, "attempts", "answered", "missed", "rate", "calls", "median dial",
              "p90 dial", "dial time", "cost")  # fmt: skip
    lines = [header]
    for row in rows:
        group = row.get("userName") or row["group"] or "(none)"
        lines.append((
            group, f"{row['attempts']:,}", f"{row['answered']:,}", f"{row['notAnswered']:,}",
            f"{row['answerRate']:.0%}", f"{row['calls']:,}",
            _duration(row["medianDialDurationInSeconds"]),
            _duration(row["p90DialDurationInSeconds"]), hms(row["totalDialDurationInSeconds"]),
            f"${row['totalCallCostInUSDCents'] / 100:,.2f}",
        ))  # fmt: skip
    if len(lines) == 1:
        return "no attempts in the period\n"
    widths = [max(len(line[index]) for line in lines) for index in range(len(header))]
    return "".join(
        "  ".join(
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        + "\n"
        for line in lines
    )


def _duration(value: float | None) -> str:
    """A duration as people read it, h:mm:ss, as the review view shows it (JSON and CSV carry
    the seconds)."""
    return "–" if value is None else hms(value)
