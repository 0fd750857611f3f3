"""Figures a supervisor wants about a list of escalation attempts, computed once for UI and CLI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from desktop.core.models import EscalationAttempt

#: OneUptime's IncomingCallStatus values, in the order a call moves through them.
KNOWN_STATUSES = (
    "Initiated",
    "Ringing",
    "Connected",
    "Escalated",
    "NoAnswer",
    "Failed",
    "Completed",
    "CallerHungUp",
    "Busy",
)


@dataclass(frozen=True)
class AttemptSummary:
    attempts: int
    answered: int
    not_answered: int
    first_answer: datetime | None
    total_dial_seconds: float
    total_cost_usd_cents: float
    statuses: dict[str, int]

    def text(self) -> str:
        first = (
            self.first_answer.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            if (self.first_answer)
            else "never"
        )
        statuses = ", ".join(f"{status} {count}" for status, count in self.statuses.items())
        return (
            f"{self.attempts} attempts · {self.answered} answered · {self.not_answered} not "
            f"answered · first answer {first} · dial time {self.total_dial_seconds:g} s · "
            f"cost ${self.total_cost_usd_cents / 100:,.2f}" + (f" · {statuses}" if statuses else "")
        )


def summarize(attempts: Iterable[EscalationAttempt]) -> AttemptSummary:
    count = answered = 0
    first_answer: datetime | None = None
    dial = cost = 0.0
    statuses: Counter[str] = Counter()
    for attempt in attempts:
        count += 1
        if attempt.is_answered:
            answered += 1
            moment = attempt.started_at or attempt.created_at
            if moment is not None and (first_answer is None or moment < first_answer):
                first_answer = moment
        dial += attempt.dial_duration_seconds or 0.0
        cost += attempt.cost_usd_cents or 0.0
        statuses[attempt.status or "(none)"] += 1
    ordered = {s: statuses[s] for s in KNOWN_STATUSES if s in statuses}
    ordered.update({s: n for s, n in sorted(statuses.items()) if s not in ordered})
    return AttemptSummary(
        attempts=count,
        answered=answered,
        not_answered=count - answered,
        first_answer=first_answer,
        total_dial_seconds=dial,
        total_cost_usd_cents=cost,
        statuses=ordered,
    )
