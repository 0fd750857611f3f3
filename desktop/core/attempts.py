"""Figures a supervisor wants about a list of escalation attempts, computed once for UI and CLI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from desktop.core.models import AttemptOutcome, EscalationAttempt
from desktop.core.timefmt import hms, screen_time, zone_of

#: How a status without a word is counted.
NO_STATUS = "(none)"


@dataclass(frozen=True)
class AttemptSummary:
    attempts: int
    answered: int
    not_answered: int
    first_answer: datetime | None
    total_dial_seconds: float
    total_cost_usd_cents: float
    #: Attempts per status word, the most frequent first.
    statuses: dict[str, int]
    #: What each status word means, where the vendor module said (unknown words are absent).
    outcomes: dict[str, AttemptOutcome] = field(default_factory=dict)

    @property
    def first_answer_text(self) -> str:
        if self.first_answer is None:
            return "never"
        return f"{screen_time(self.first_answer)} ({zone_of(self.first_answer)})"

    @property
    def dial_text(self) -> str:
        return hms(self.total_dial_seconds)

    @property
    def cost_text(self) -> str:
        return f"${self.total_cost_usd_cents / 100:,.2f}"

    def text(self) -> str:
        statuses = ", ".join(f"{status} {count}" for status, count in self.statuses.items())
        return (
            f"{self.attempts} attempts · {self.answered} answered · {self.not_answered} not "
            f"answered · first answer {self.first_answer_text} · dial time {self.dial_text} · "
            f"cost {self.cost_text}" + (f" · {statuses}" if statuses else "")
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
        self.outcomes: dict[str, AttemptOutcome] = {}

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
            status = attempt.status or NO_STATUS
            self.statuses[status] += 1
            if attempt.outcome is not None:
                self.outcomes.setdefault(status, attempt.outcome)

    def summary(self) -> AttemptSummary:
        ordered = sorted(self.statuses.items(), key=lambda item: (-item[1], item[0]))
        return AttemptSummary(
            attempts=self.count,
            answered=self.answered,
            not_answered=self.count - self.answered,
            first_answer=self.first_answer,
            total_dial_seconds=self.dial,
            total_cost_usd_cents=self.cost,
            statuses=dict(ordered),
            outcomes=dict(self.outcomes),
        )


def summarize(attempts: Iterable[EscalationAttempt]) -> AttemptSummary:
    tally = AttemptTally()
    tally.add(attempts)
    return tally.summary()
