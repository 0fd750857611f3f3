"""``calllookup-cli oneuptime report``: a period's escalation figures, grouped, for scripts.

The period's attempts are brought into the local cache first (only what changed, when it was
loaded before), then aggregated there; progress goes to stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, TextIO

from desktop.analytics.cache import AttemptCache, Filters
from desktop.analytics.figures import GroupBy, GroupFigures, group_figures
from desktop.analytics.loader import PeriodLoader
from desktop.analytics.period import period_from_texts
from desktop.core.blocking import run_blocking
from desktop.core.errors import InvalidInputError
from desktop.core.export import EXPORT_FORMATS, render
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

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rloading attempts: {done:,} of {total:,}", end="", file=sys.stderr)

    async def go() -> list[GroupFigures]:
        try:
            loader = PeriodLoader(engine, cache, args.profile)
            await loader.load(period, progress)
            return await run_blocking(group_figures, cache, loader.source, period, filters, by)
        finally:
            await engine.aclose()

    try:
        figures = asyncio.run(go())
    finally:
        cache.close()
        if sys.stderr.isatty():
            print(file=sys.stderr)
    rows = [figure.as_json(by) for figure in figures]
    if args.format == "json":
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "text":
        out.write(report_text(figures, by))
    else:
        out.write(render([{k: _cell(v) for k, v in row.items()} for row in rows], args.format))
    return 0


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def report_text(figures: list[GroupFigures], by: GroupBy) -> str:
    header = (by.value, "attempts", "answered", "missed", "rate", "calls", "median dial",
              "p90 dial", "dial time", "cost")  # fmt: skip
    lines = [header]
    for figure in figures:
        group = figure.user_name or figure.group or "(none)"
        lines.append((
            group, f"{figure.attempts:,}", f"{figure.answered:,}", f"{figure.not_answered:,}",
            f"{figure.answer_rate:.0%}", f"{figure.calls:,}", _duration(figure.median_dial_seconds),
            _duration(figure.p90_dial_seconds), hms(figure.total_dial_seconds),
            f"${figure.total_cost_usd_cents / 100:,.2f}",
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
