"""A bulk run in process against the simulator: outcomes per ID, 429 recovery, batched history,
pause and cancel."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from desktop.bulk import BulkOutcome, BulkRun, BulkState, plan_every_vendor, plan_jobs
from desktop.core.history import HistoryStore
from desktop.engine import LookupEngine
from desktop.simulator.leadsquared import FAILED_ID, QUEUED_ID, SUCCESS_ID
from desktop.simulator.server import Simulator

UNKNOWN_IDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 6)]


async def _collect(run: BulkRun) -> list[BulkOutcome]:
    return [outcome async for outcome in run.outcomes()]


def _finals(outcomes: list[BulkOutcome]) -> dict[str, BulkOutcome]:
    return {o.id: o for o in outcomes if o.state.is_final}


def test_found_not_found_and_invalid_rows(engine: LookupEngine, simulator: Simulator) -> None:
    job = plan_jobs(engine, "leadsquared", None)[0]
    ids = [SUCCESS_ID, UNKNOWN_IDS[0], "not/an-id", QUEUED_ID]
    outcomes = asyncio.run(_collect(BulkRun(engine, job, ids)))
    finals = _finals(outcomes)
    assert {k: v.state for k, v in finals.items()} == {
        SUCCESS_ID: BulkState.FOUND, UNKNOWN_IDS[0]: BulkState.NOT_FOUND,
        "not/an-id": BulkState.ERROR, QUEUED_ID: BulkState.FOUND,
    }  # fmt: skip
    assert finals["not/an-id"].message.startswith("invalid: ")
    assert simulator.request_counts["leadsquared"] == 3  # the invalid ID was never sent
    asking = [o.id for o in outcomes if o.state is BulkState.ASKING]
    assert sorted(asking) == sorted([SUCCESS_ID, UNKNOWN_IDS[0], QUEUED_ID])
    row = finals[SUCCESS_ID].as_row()
    assert row["id"] == SUCCESS_ID and row["state"] == "found"
    assert row["RequestBody.SourceNumber"] == "8077128602"
    assert finals[SUCCESS_ID].key_columns()[:2] == ["8077128602", "9399822316"]


def test_a_429_slows_the_limiter_and_the_id_is_asked_again(
    engine: LookupEngine, simulator: Simulator
) -> None:
    # Four 429s with Retry-After: 1 s: the session's own retries take some, the run re-queues
    # the IDs whose retries ran out; every ID ends answered, none failed.
    simulator.add_fault("leadsquared", "status:429:1", count=4)
    job = plan_jobs(engine, "leadsquared", None)[0]
    ids = [SUCCESS_ID, QUEUED_ID, FAILED_ID, *UNKNOWN_IDS]
    outcomes = asyncio.run(_collect(BulkRun(engine, job, ids)))
    finals = _finals(outcomes)
    assert set(finals) == set(ids)
    assert not [o for o in finals.values() if o.state is BulkState.ERROR]
    assert simulator.too_many_requests["leadsquared"] == 4
    limiter = engine._limiters[("leadsquared", job.profile)]
    assert limiter.slowdowns == 4
    assert limiter.limit < limiter.published_limit


def test_every_answer_is_one_history_entry_written_in_batches(
    engine: LookupEngine, simulator: Simulator, tmp_path: Path
) -> None:
    engine.history = HistoryStore(tmp_path / "history.sqlite3")
    writes: list[int] = []
    add_many = engine.history.add_many

    def counting(records):
        writes.append(len(records))
        return add_many(records)

    engine.history.add_many = counting  # type: ignore[method-assign]
    job = plan_jobs(engine, "leadsquared", None)[0]
    ids = [SUCCESS_ID, QUEUED_ID, *UNKNOWN_IDS]
    asyncio.run(_collect(BulkRun(engine, job, ids)))
    engine.history.close()
    with sqlite3.connect(tmp_path / "history.sqlite3") as connection:
        rows = connection.execute("SELECT params, outcome FROM lookups").fetchall()
    assert len(rows) == len(ids)
    assert sorted(outcome for _params, outcome in rows).count("not found") == len(UNKNOWN_IDS)
    assert sum(writes) == len(ids) and len(writes) < len(ids)


def test_cancel_reports_the_lookups_under_way_and_sends_no_more(
    engine: LookupEngine, simulator: Simulator
) -> None:
    simulator.add_fault("leadsquared", "delay:5", count=25)
    job = plan_jobs(engine, "leadsquared", None)[0]
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(60)]
    run = BulkRun(engine, job, ids)

    async def go() -> list[BulkOutcome]:
        seen: list[BulkOutcome] = []
        async for outcome in run.outcomes():
            seen.append(outcome)
            if len(seen) == 3:
                run.cancel()
        return seen

    outcomes = asyncio.run(go())
    cancelled = [o for o in outcomes if o.state is BulkState.CANCELLED]
    assert cancelled and not [o for o in outcomes if o.state.is_final]
    assert simulator.request_counts.get("leadsquared", 0) <= 25  # nothing new after the cancel


def test_a_paused_run_sends_nothing_until_resumed(
    engine: LookupEngine, simulator: Simulator
) -> None:
    job = plan_jobs(engine, "leadsquared", None)[0]
    run = BulkRun(engine, job, [SUCCESS_ID, QUEUED_ID])
    run.pause()

    async def go() -> list[BulkOutcome]:
        collecting = asyncio.ensure_future(_collect(run))
        await asyncio.sleep(0.5)
        assert simulator.request_counts.get("leadsquared", 0) == 0
        run.resume()
        return await collecting

    finals = _finals(asyncio.run(go()))
    assert {o.state for o in finals.values()} == {BulkState.FOUND}


def test_every_vendor_plan_takes_the_vendors_for_the_kind(engine: LookupEngine) -> None:
    jobs = plan_every_vendor(engine, [SUCCESS_ID, QUEUED_ID])
    assert {(job.vendor.key, job.field) for job in jobs} >= {
        ("leadsquared", "RequestId"),
        ("oneuptime", "incomingCallLogId"),
    }


def test_a_profile_edited_in_the_credential_manager_keeps_its_concurrency() -> None:
    from desktop.core.credentials import MemorySecretStore
    from desktop.core.profile_service import ProfileDraft, ProfileService
    from desktop.core.profiles import Profile, ProfileStore
    from desktop.vendors import get_vendor

    store = ProfileStore.in_memory(
        [Profile(vendor="verba", name="main", base_url="https://verba.example", concurrency=9)]
    )
    secrets = MemorySecretStore({("verba", "main", "apiKey"): "k"})
    service = ProfileService(store, secrets, get_vendor)
    draft = ProfileDraft.of(store.resolve("verba", "main"))
    draft.timeout = "30"  # as the form sends it: every field but the concurrency
    assert service.check(draft, original_name="main").concurrency == 9
    new = ProfileDraft("verba", "new", "https://v.example", secrets={"apiKey": "k"})
    assert service.check(new).concurrency == 4


def test_key_columns_show_words_and_the_screens_time_format_and_copy_the_values(
    engine: LookupEngine, monkeypatch
) -> None:
    import time

    async def both() -> tuple[list[BulkOutcome], list[BulkOutcome]]:
        leadsquared = plan_jobs(engine, "leadsquared", None)[0]
        isales = plan_jobs(engine, "huawei-isales", None)[0]
        return (await _collect(BulkRun(engine, leadsquared, [SUCCESS_ID])),
                await _collect(BulkRun(engine, isales, ["1644464743-1388"])))  # fmt: skip

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        first, second = asyncio.run(both())
        found, call = _finals(first)[SUCCESS_ID], _finals(second)["1644464743-1388"]
        # Caller, called, started (13:33:00 UTC in India; the header names the zone),
        # duration h:mm:ss, status.
        assert found.key_texts() == [
            "8077128602", "9399822316", "2020-09-30 19:03:00", "0:24:57", "Answered"]  # fmt: skip
        assert found.key_columns()[2] == "2020-09-30 19:03:00+05:30"  # a copy keeps its zone
        # CC-iSales names no zone for its times; it sends no duration, the card works it out
        # from the start and end (11:45:47 to 11:45:51); its call result 6 reads as a word.
        assert call.key_texts()[2:] == [
            "2022-02-10 11:45:47 (zone not given)", "0:00:04", "succeeded"]  # fmt: skip
        assert call.key_columns()[3] == "0:00:04"
        assert call.key_columns()[4] == "6 — succeeded"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_cli_run_reads_each_secret_once_not_once_per_id(
    engine: LookupEngine, simulator: Simulator, tmp_path: Path
) -> None:
    """An OS keyring answers each read with an IPC round trip: a run of many IDs reads the
    profile's secrets once, as the window's runs do."""
    from desktop.bulk_cli import run_bulk
    from desktop.cli import build_parser

    reads: list[tuple[str, str, str]] = []
    store = engine.secrets
    real_get = store.get

    def counted_get(vendor: str, profile: str, field: str) -> str | None:
        reads.append((vendor, profile, field))
        return real_get(vendor, profile, field)

    store.get = counted_get  # type: ignore[method-assign]
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join([SUCCESS_ID, QUEUED_ID, *UNKNOWN_IDS]) + "\n")
    args = build_parser().parse_args(["bulk", "leadsquared", str(ids), "--format", "jsonl"])
    out = tmp_path / "rows.jsonl"
    with out.open("w") as stream:
        code = run_bulk(args, engine, stream)
    assert code == 1  # the unknown IDs are not found
    assert len(out.read_text().splitlines()) == 7
    assert simulator.request_counts["leadsquared"] == 7
    assert reads and len(reads) == len(set(reads))  # each secret once for 7 lookups


def test_pause_holds_back_the_lookups_waiting_for_a_turn_and_resume_asks_each_once() -> None:
    """OneUptime's 100 workers wait for turns of its 100 per s: a pause sends none of them (a
    request already on its way still arrives) until resume, and every ID is asked once."""
    import time

    from desktop.core.credentials import MemorySecretStore
    from desktop.core.profiles import Profile, ProfileStore
    from tests.support.hostile_server import HostileServer, Reply, SeenRequest

    arrivals: list[float] = []

    def no_such_attempt(_request: SeenRequest) -> Reply:
        arrivals.append(time.monotonic())
        return Reply.json({})  # get-item's "not found"

    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(200)]
    with HostileServer(no_such_attempt) as server:
        profile = Profile(vendor="oneuptime", name="p", base_url=f"{server.url}/api",
                          settings={"projectId": "proj"})  # fmt: skip
        engine = LookupEngine(ProfileStore.in_memory([profile]),
                              MemorySecretStore({("oneuptime", "p", "ApiKey"): "key"}))  # fmt: skip
        run = BulkRun(engine, plan_jobs(engine, "oneuptime", "p", "_id")[0], ids)
        times: dict[str, float] = {}

        def resume() -> None:
            times["resumed"] = time.monotonic()
            run.resume()

        async def go() -> list[BulkOutcome]:
            seen: list[BulkOutcome] = []
            async for outcome in run.outcomes():
                seen.append(outcome)
                if "paused" not in times and sum(o.state.is_final for o in seen) == 20:
                    run.pause()
                    times["paused"] = time.monotonic()
                    asyncio.get_running_loop().call_later(1.5, resume)
            await engine.aclose()
            return seen

        outcomes = asyncio.run(go())
    # Only requests already on their way when paused arrive later, and at once.
    while_paused = [t for t in arrivals if times["paused"] + 0.4 < t < times["resumed"]]
    assert while_paused == [], f"{len(while_paused)} requests went out while paused"
    held = [o for o in outcomes if o.state is BulkState.QUEUED]
    assert len(held) >= 40  # most of the 100 workers were waiting for a turn
    finals = [o.id for o in outcomes if o.state.is_final]
    assert sorted(finals) == ids and len(arrivals) == len(ids)  # none lost, none twice
    assert {o.state for o in outcomes if o.state.is_final} == {BulkState.NOT_FOUND}
