"""A group's figures tallied from (dial time, attempts, answered, cost) rows in dial order:
counts and sums, and exact medians and nearest-rank percentiles from (value, count) histograms,
without holding every attempt's dial time. The figures and the per-call rollup tally alike, so
a figure read from a rollup equals the one counted over the attempts."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


def _value_at(histogram: list[tuple[float, int]], rank: int) -> float:
    """The ``rank``-th smallest value (0-based) of a sorted (value, count) histogram."""
    seen = 0
    for value, count in histogram:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)


def _median(size: int, value_at: Callable[[int], float]) -> float | None:
    """The median of ``size`` values, the ``rank``-th smallest being ``value_at(rank)``."""
    if not size:
        return None
    middle = size // 2
    if size % 2:
        return value_at(middle)
    return (value_at(middle - 1) + value_at(middle)) / 2


def _rank(share: float, size: int) -> int:
    """The nearest rank (0-based) of the ``share`` percentile among ``size`` values."""
    return max(0, math.ceil(share * size) - 1)


def median(histogram: list[tuple[float, int]]) -> float | None:
    size = sum(count for _value, count in histogram)
    return _median(size, lambda rank: _value_at(histogram, rank))


def nearest_rank(histogram: list[tuple[float, int]], share: float) -> float | None:
    size = sum(count for _value, count in histogram)
    return _value_at(histogram, _rank(share, size)) if size else None


def sorted_median(values: Sequence[float]) -> float | None:
    """``median`` of values held one by one, ascending (a call's few dial times)."""
    return _median(len(values), values.__getitem__)


def sorted_nearest_rank(values: Sequence[float], share: float) -> float | None:
    """``nearest_rank`` of values held one by one, ascending."""
    return values[_rank(share, len(values))] if values else None


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
