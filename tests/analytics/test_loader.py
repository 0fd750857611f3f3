"""The period loader against the simulator over HTTP: a load that outlasts the profile's
timeout, pages slowed by the simulator's own delay fault."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.analytics.cache import AttemptCache
from desktop.analytics.writer import PeriodWriter
from desktop.engine import LookupEngine
from desktop.simulator import oneuptime as sim
from tests.analytics import dataset as ds
from tests.analytics.dataset import local_zone  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("local_zone")


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[AttemptCache]:
    store = AttemptCache(tmp_path / "attempts.sqlite3")
    yield store
    store.close()


def test_a_load_longer_than_the_profile_timeout_still_completes(
    simulator, engine: LookupEngine, cache: AttemptCache
) -> None:
    # 250 attempts are three pages: the first alone, then two at once, each 1.8 s late, so the
    # load takes about 3.6 s while each request stays well within the 3 s timeout.
    sim.seed_attempts(simulator.vendors["oneuptime"], ds.one_call_attempts(250))
    engine.profiles.resolve("oneuptime", None).timeout = 3.0
    simulator.add_fault("oneuptime", "delay:1.8", count=3)
    assert ds.load(engine, cache).total == 250
    assert len(cache.rows("SELECT id FROM attempt")) == 250


def test_the_days_pages_fell_in_are_local_days_and_no_guess_past_the_calendar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Which days the writer leaves for later is read from the pages' starts in the machine's
    zone; a hostile start at year 1 or 9999, which no local date holds, leaves none (it
    raised out of the writer and failed the load)."""
    import time

    from desktop.analytics.loader import _local_days
    from desktop.vendors.oneuptime import PeriodPage, period_item

    def page(*starts: str) -> PeriodPage:
        items = [period_item({"_id": f"a{n}", "startedAt": at}) for n, at in enumerate(starts)]
        return PeriodPage(items=items, total=len(items), names_readable=False)

    for zone, hostile in (("America/New_York", "0001-01-01T00:00:00.000Z"),
                          ("Asia/Tokyo", "9999-12-31T23:00:00.000Z")):  # fmt: skip
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        late = "2026-11-10T03:30:00.000Z"  # still the 9th in New York, the 10th in Tokyo
        day = "2026-11-09" if zone == "America/New_York" else "2026-11-10"
        assert _local_days([page("2026-11-09T12:00:00.000Z", late)]) == ("2026-11-09", day)
        assert _local_days([page(late), page(hostile)]) is None
        assert _local_days([page()]) is None


def test_a_name_is_written_when_it_is_new_or_changed_not_with_every_page(
    cache: AttemptCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy week's thousand pages name the same few users: each name is written once per
    load, and again only when the vendor's name for the user changes."""
    from desktop.vendors.oneuptime import PeriodItem, period_item

    def page(*named: tuple[str, str]) -> list[PeriodItem]:
        return [
            period_item({"_id": f"a{n}", "userId": user, "user": {"_id": user, "name": name}})
            for n, (user, name) in enumerate(named)
        ]

    writes: list[dict[str, str]] = []
    write = cache.set_user_names

    def counted(source: str, names: dict[str, str]) -> None:
        writes.append(names)
        write(source, names)

    monkeypatch.setattr(cache, "set_user_names", counted)
    writer = PeriodWriter(cache, "source", (-math.inf, math.inf))
    writer.store([*page(("u1", "Ada"), ("u2", "Grace")), *page(("u1", "Ada"))], 0, False)
    writer.store(page(("u2", "Grace"), ("u1", "Ada")), 0, False)
    writer.store(page(("u1", "Ada Lovelace"), ("u2", "Grace")), 0, False)
    assert writes == [{"u1": "Ada", "u2": "Grace"}, {"u1": "Ada Lovelace"}]
    assert cache.user_names("source") == {"u1": "Ada Lovelace", "u2": "Grace"}


def test_the_review_says_how_many_attempts_were_left_out_of_the_period() -> None:
    from desktop.analytics.loader import LoadOutcome

    outcome = LoadOutcome(1, 0, 1, True, True, outside=3)
    assert outcome.text() == (
        "1 attempts in the period; 1 loaded. 3 that OneUptime sent started outside the period "
        "and were left out."
    )
    assert "outside" not in LoadOutcome(1, 0, 1, True, True).text()
