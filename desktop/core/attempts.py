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


class AttemptTally:
    """Running figures: add attempts page by page without walking the whole list again."""

    def __init__(self) -> None:
        self.count = 0
        self.answered = 0
        self.first_answer: datetime | None = None
        self.dial = 0.0
        self.cost = 0.0
        self.statuses: Counter[str] = Counter()

    def add(self, attempts: Iterable[EscalationAttempt]) -> None:
        for attempt in attempts:
            self.count += 1
            if attempt.is_answered:
                self.answered += 1
                moment = attempt.started_at or attempt.created_at
                if moment is not None and (self.first_answer is None or moment < self.first_answer):
                    self.first_answer = moment
            self.dial += attempt.dial_duration_seconds or 0.0
            self.cost += attempt.cost_usd_cents or 0.0
            self.statuses[attempt.status or "(none)"] += 1

    def summary(self) -> AttemptSummary:
        ordered = {s: self.statuses[s] for s in KNOWN_STATUSES if s in self.statuses}
        ordered.update({s: n for s, n in sorted(self.statuses.items()) if s not in ordered})
        return AttemptSummary(
            attempts=self.count,
            answered=self.answered,
            not_answered=self.count - self.answered,
            first_answer=self.first_answer,
            total_dial_seconds=self.dial,
            total_cost_usd_cents=self.cost,
            statuses=ordered,
        )


def summarize(attempts: Iterable[EscalationAttempt]) -> AttemptSummary:
    tally = AttemptTally()
    tally.add(attempts)
    return tally.summary()
