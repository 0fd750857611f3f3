"""RateLimiter: never more than the limit in any window, starts spread over the period, and a
429 that still comes holds every request back for Retry-After and lowers the limit a while."""

from __future__ import annotations

import asyncio
import time

import pytest

from desktop.core.http import RateLimiter


async def _requests(limiter: RateLimiter, count: int, latency: float) -> list[tuple[float, float]]:
    """(start, end) of ``count`` requests taking ``latency`` s, as many at once as allowed."""
    spans: list[tuple[float, float]] = []

    async def one() -> None:
        slot = await limiter.acquire()
        started = time.monotonic()
        await asyncio.sleep(latency)
        RateLimiter.release(slot)
        spans.append((started, time.monotonic()))

    await asyncio.gather(*(one() for _ in range(count)))
    return sorted(spans)


def test_no_window_holds_more_than_the_limit_and_starts_are_spread() -> None:
    limiter = RateLimiter(5, 0.5)
    spans = asyncio.run(_requests(limiter, 15, 0.02))
    starts = [start for start, _end in spans]
    # Arrivals lie between start and end: a window of the period from any request's end holds
    # at most the limit of later starts (the vendor's sliding count).
    for _start, end in spans:
        assert sum(1 for start in starts if end <= start < end + 0.5) <= 5
    step = limiter.period / 5
    # Spread over the period: never ahead of the even grid (a late start is made up by the
    # next ones, which may then come sooner than a step apart, never sooner than the grid).
    assert all(start >= starts[0] + n * step - 0.005 for n, start in enumerate(starts))
    assert starts[-1] - starts[0] < 1.5 + 0.5  # and not slower than the limit needs


def test_a_429_waits_for_retry_after_and_lowers_the_limit_until_it_recovers() -> None:
    limiter = RateLimiter(8, 0.2)

    async def go() -> tuple[float, int, int]:
        limiter.slow_down("1")
        started = time.monotonic()
        slot = await limiter.acquire()
        waited = time.monotonic() - started
        RateLimiter.release(slot)
        lowered = limiter.limit
        await asyncio.sleep(limiter.period * 1.5)
        await limiter.acquire()
        return waited, lowered, limiter.limit

    waited, lowered, later = asyncio.run(go())
    assert waited >= 0.95  # Retry-After: 1 honoured
    assert lowered == 6 and limiter.slowdowns == 1
    assert later == 7  # one more per period without a 429, up to the published 8


def test_the_429s_of_one_burst_lower_the_limit_once() -> None:
    limiter = RateLimiter(20, 1.0)
    for _ in range(5):
        limiter.slow_down(None)
    assert limiter.limit == 15 and limiter.slowdowns == 5


def test_one_limiter_paces_two_event_loops_on_two_threads_together() -> None:
    import threading

    limiter = RateLimiter(4, 0.4)
    spans: list[tuple[float, float]] = []

    def on_its_own_loop() -> None:
        spans.extend(asyncio.run(_requests(limiter, 6, 0.01)))

    threads = [threading.Thread(target=on_its_own_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    starts = sorted(start for start, _end in spans)
    assert len(starts) == 12
    for _start, end in spans:  # the window check counts the two loops' requests together
        assert sum(1 for start in starts if end <= start < end + 0.4) <= 4
    assert starts[-1] - starts[0] >= 0.4 * 2  # 12 at 4 per 0.4 s: three windows at least


def test_a_late_start_is_made_up_by_the_next_ones_up_to_the_grid() -> None:
    """At 100 per s a start 15 ms late (one and a half steps) lets the one it held back go at
    once, and the next waits for its place on the grid: lateness does not add up."""
    limiter = RateLimiter(100, 1.0)
    step = limiter.period / 100
    assert isinstance(limiter._take(100.0), list)
    late = 100.0 + 2.5 * step  # its place was 100 + step
    assert [isinstance(limiter._take(late), list) for _ in range(3)] == [True, True, False]
    assert limiter._take(late) == pytest.approx(100.0 + 3 * step - late)
