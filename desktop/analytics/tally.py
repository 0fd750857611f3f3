"""A group's figures tallied from (dial time, attempts, answered, cost) rows in dial order:
counts and sums, and exact medians and nearest-rank percentiles from (value, count) histograms,
without holding every attempt's dial time. The figures and the per-call rollup tally alike, so
a figure read from a rollup equals the one counted over the attempts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def _value_at(histogram: list[tuple[float, int]], rank: int) -> float:
    """The ``rank``-th smallest value (0-based) of a sorted (value, count) histogram."""
    seen = 0
    for value, count in histogram:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)


def median(histogram: list[tuple[float, int]]) -> float | None:
    size = sum(count for _value, count in histogram)
    if not size:
        return None
    middle = size // 2
    if size % 2:
        return _value_at(histogram, middle)
    return (_value_at(histogram, middle - 1) + _value_at(histogram, middle)) / 2


def nearest_rank(histogram: list[tuple[float, int]], share: float) -> float | None:
    size = sum(count for _value, count in histogram)
    if not size:
        return None
    return _value_at(histogram, max(0, math.ceil(share * size) - 1))


@dataclass(slots=True)
class Tally:
    attempts: int = 0
    answered: int = 0
    dial: float = 0.0
    cost: float = 0.0
    #: Dial times as (value, count), ascending: medians without holding every attempt's time.
    dials: list[tuple[float, int]] = field(default_factory=list)

    def add(self, dial: float | None, attempts: int, answered: int, cost: float) -> None:
        """One (group, dial time) row; rows come in ascending dial order (None first)."""
        self.attempts += attempts
        self.answered += answered
        self.cost += cost
        if dial is not None:
            self.dial += dial * attempts
            self.dials.append((dial, attempts))
