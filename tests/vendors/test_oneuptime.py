"""OneUptime escalation attempts against the simulator over HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.attempts import summarize
from desktop.core.errors import (
    BadCredentialsError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
)
from desktop.core.models import AttemptOutcome
from desktop.core.timefmt import parse_time
from desktop.engine import LookupEngine
from desktop.simulator import oneuptime as sim
from desktop.vendors.base import AttemptSort
from desktop.vendors.oneuptime import (
    build_query,
    parse_attempt,
    parse_date,
    parse_page,
    period_item,
)

UNKNOWN_ATTEMPT = "00000000-0000-4000-8000-000000000000"


def run(engine: LookupEngine, coroutine_factory):
    async def go():
        try:
            return await coroutine_factory()
        finally:
            await engine.aclose()

    return asyncio.run(go())


def test_first_page_with_total_and_summary(engine) -> None:
    result = run(engine, lambda: engine.lookup("oneuptime", {"incomingCallLogId": sim.CALL_250}))
    assert result.attempts_total == 250
    assert len(result.attempts) == 100
    first = result.attempts[0]
    assert first.incoming_call_log_id == sim.CALL_250
    assert first.started_at is not None
    assert first.user_phone_number == "+15550100001"
    assert "250 attempts (100 loaded)" in result.summary


def test_all_pages_load_in_order(engine) -> None:
    async def everything():
        prepared = engine.prepare("oneuptime", {"incomingCallLogId": sim.CALL_250})
        first = await engine.run(prepared)
        return await engine.attempts.remaining(prepared, first)

    result = run(engine, everything)
    assert len(result.attempts) == 250
    assert len({a.attempt_id for a in result.attempts}) == 250
    starts = [a.started_at for a in result.attempts]
    assert starts == sorted(starts)
    figures = summarize(result.attempts)
    assert figures.answered == 41  # every sixth attempt is answered
    assert figures.not_answered == 209
    assert figures.statuses == {"NoAnswer": 125, "Busy": 42, "Failed": 42, "Connected": 41}
    assert figures.outcomes["Connected"] is AttemptOutcome.ANSWERED
    assert figures.outcomes["Busy"] is AttemptOutcome.NOT_ANSWERED
    assert figures.total_dial_seconds == 10970
    assert figures.dial_text == "3:02:50"  # durations read as h:mm:ss


def test_server_side_sort_descending(engine) -> None:
    async def page():
        prepared = engine.prepare("oneuptime", {"incomingCallLogId": sim.CALL_250})
        return await engine.attempts.page(
            prepared, skip=0, limit=5, sort=AttemptSort("dial_duration_seconds", True)
        )

    attempts = run(engine, page).attempts
    durations = [a.dial_duration_seconds for a in attempts]
    assert durations == sorted(durations, reverse=True)
    assert durations[0] == 134


def test_filters_and_typed_date_range(engine) -> None:
    answered = run(engine, lambda: engine.lookup(
        "oneuptime", {"incomingCallLogId": sim.CALL_250, "isAnswered": "true"}
    ))  # fmt: skip
    assert answered.attempts_total == 41
    assert all(a.is_answered for a in answered.attempts)
    ranged = run(engine, lambda: engine.lookup(
        "oneuptime",
        {"incomingCallLogId": sim.CALL_250, "startedAtFrom": "2026-11-20T09:00:00Z",
         "startedAtTo": "2026-11-20T09:07:30Z"},
    ))  # fmt: skip
    assert ranged.attempts_total == 11  # one every 45 s, both ends included


def test_dates_in_both_shapes() -> None:
    plain = parse_date("2026-11-20T09:00:00Z")
    typed = parse_date({"_type": "DateTime", "value": "2026-11-20T09:00:00Z"})
    assert plain == typed
    assert plain is not None
    assert parse_date({"_type": "Other"}) is None
    assert parse_date(5) is None


@pytest.mark.parametrize(
    ("sent", "instant"),
    [
        # OneUptime's own form (Date.toISOString: UTC, milliseconds, "Z"), read as it came.
        ("2026-11-20T09:03:45.000Z", datetime(2026, 11, 20, 9, 3, 45, tzinfo=UTC)),
        ("2026-11-20T09:03:45.123Z", datetime(2026, 11, 20, 9, 3, 45, 123000, tzinfo=UTC)),
        ("2026-11-20 09:03:45.123Z", datetime(2026, 11, 20, 9, 3, 45, 123000, tzinfo=UTC)),
        # Other shapes, read as they came or with "+00:00" for "Z".
        ("2026-11-20T09:03:45Z", datetime(2026, 11, 20, 9, 3, 45, tzinfo=UTC)),
        ("2026-11-20T09:03:45.123456Z", datetime(2026, 11, 20, 9, 3, 45, 123456, tzinfo=UTC)),
        ("2026-11-20T10:03:45.000+01:00", datetime(2026, 11, 20, 9, 3, 45, tzinfo=UTC)),
        ("2026-11-20T09:03:45", datetime(2026, 11, 20, 9, 3, 45, tzinfo=UTC)),  # no zone: UTC
        (" 2026-11-20T09:03:45.00Z", datetime(2026, 11, 20, 9, 3, 45, tzinfo=UTC)),
        ("2026-11-20Z", datetime(2026, 11, 20, tzinfo=UTC)),  # only with "+00:00" for "Z"
        # Not dates, though one has the exact length and the Z.
        ("2026-11-31T09:03:45.000Z", None),
        ("2026-11-20T09:03:45.000z", None),
        ("not a date at all, Zzz Z", None),
        ("", None),
    ],
)
def test_dates_read_as_the_general_parser_reads_them(sent: str, instant: datetime | None) -> None:
    assert parse_date(sent) == instant
    assert parse_date({"_type": "DateTime", "value": sent}) == instant
    general = parse_time(sent)  # the general way agrees on every case, offset included
    assert general == instant
    if general is not None:
        assert parse_date(sent).utcoffset() == general.utcoffset()  # type: ignore[union-attr]


@pytest.fixture
def kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC+05:30 (no daylight saving), so whole days have known instants."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_query_uses_typed_operators(kolkata) -> None:
    assert build_query({"startedAtFrom": "2026-01-01"}) == {
        "startedAt": {"_type": "GreaterThanOrEqual", "value": "2025-12-31T18:30:00.000Z"}
    }
    assert build_query({"isAnswered": "false", "status": "Busy"}) == {
        "status": "Busy",
        "isAnswered": False,
    }


def test_get_item_shows_every_field(engine) -> None:
    attempt_id = f"{sim.SMALL_CALL[:24]}{5:012d}"
    result = run(engine, lambda: engine.lookup("oneuptime", {"_id": attempt_id}))
    keys = {field.key for field in result.calls[0].fields}
    assert {"_id", "status", "isAnswered", "startedAt", "callCostInUSDCents"} <= keys
    assert result.attempts[0].status == "Connected"


def test_empty_get_item_is_not_found(engine) -> None:
    with pytest.raises(NotFoundError, match="may not see it"):
        run(engine, lambda: engine.lookup("oneuptime", {"_id": UNKNOWN_ATTEMPT}))


def test_edit_and_delete_and_create(engine) -> None:
    attempt_id = f"{sim.CALL_250[:24]}{3:012d}"

    async def scenario():
        await engine.attempts.update(
            "oneuptime", None, attempt_id,
            {"status": "Completed", "isAnswered": "true", "callCostInUSDCents": "7"},
        )  # fmt: skip
        changed = await engine.lookup("oneuptime", {"_id": attempt_id})
        await engine.attempts.delete("oneuptime", None, attempt_id)
        created = await engine.attempts.create(
            "oneuptime", None, {"incomingCallLogId": sim.CALL_250, "status": "Ringing"}
        )
        listed = await engine.lookup("oneuptime", {"incomingCallLogId": sim.CALL_250})
        return changed, created, listed

    changed, created, listed = run(engine, scenario)
    assert changed.attempts[0].status == "Completed"
    assert changed.attempts[0].is_answered is True
    assert changed.attempts[0].cost_usd_cents == 7
    assert created
    assert listed.attempts_total == 250  # one deleted, one created


def test_read_only_key_cannot_write(engine) -> None:
    engine.secrets.set("oneuptime", "demo", "ApiKey", sim.READ_ONLY_KEY)
    with pytest.raises(ForbiddenError, match="Project Owner or Admin"):
        run(engine, lambda: engine.attempts.delete("oneuptime", None, UNKNOWN_ATTEMPT))
    result = run(engine, lambda: engine.lookup("oneuptime", {"incomingCallLogId": sim.SMALL_CALL}))
    assert result.attempts_total == 6  # reading is allowed


def test_key_without_permissions_is_told_what_reading_needs(engine) -> None:
    engine.secrets.set("oneuptime", "demo", "ApiKey", sim.NEW_KEY)
    with pytest.raises(ForbiddenError) as caught:
        run(engine, lambda: engine.lookup("oneuptime", {"incomingCallLogId": sim.SMALL_CALL}))
    assert "may not read escalation attempts" in caught.value.message
    assert "Viewer" in caught.value.message
    assert "Read All Project Resources" in caught.value.message
    assert caught.value.http_status == 403


def test_bad_keys(engine) -> None:
    engine.secrets.set("oneuptime", "demo", "ApiKey", "not-a-uuid")
    with pytest.raises(BadCredentialsError, match="UUID"):
        run(engine, lambda: engine.lookup("oneuptime", {"incomingCallLogId": sim.SMALL_CALL}))
    engine.secrets.set("oneuptime", "demo", "ApiKey", "00000000-0000-4000-8000-000000000000")
    with pytest.raises(BadCredentialsError):
        run(engine, lambda: engine.lookup("oneuptime", {"incomingCallLogId": sim.SMALL_CALL}))


def test_simulator_limits_to_100_operations_per_second(simulator, monkeypatch) -> None:
    """The clock stands still, so 110 operations fall in one second however slowly a busy
    machine sends them: the first 100 pass, the rest get 429."""
    import time

    import httpx

    now = time.monotonic()  # the operations recorded here expire a second later as usual
    monkeypatch.setattr(simulator.vendors["oneuptime"], "clock", lambda: now)
    url = simulator.base_url("oneuptime") + "/incoming-call-log-item/count"
    headers = {"ApiKey": sim.ADMIN_KEY, "projectid": sim.PROJECT_ID}
    with httpx.Client(timeout=60) as client:
        query = {"query": {"incomingCallLogId": sim.SMALL_CALL}}
        codes = [client.post(url, json=query, headers=headers).status_code for _ in range(110)]
    assert codes == [200] * 100 + [429] * 10


def test_simulator_echoes_skip_and_limit_only_from_the_query_string(simulator) -> None:
    import httpx

    url = simulator.base_url("oneuptime") + "/incoming-call-log-item/get-list"
    headers = {"ApiKey": sim.ADMIN_KEY, "projectid": sim.PROJECT_ID}
    sent = {"skip": 5, "limit": 3, "query": {}}
    body = httpx.post(url, json=sent, headers=headers, timeout=60).json()  # scans every attempt
    assert (body["skip"], body["limit"], len(body["data"])) == (0, 10, 3)


def test_the_large_call_pages_cheaply(engine) -> None:
    result = run(engine, lambda: engine.lookup("oneuptime", {"incomingCallLogId": sim.CALL_100K}))
    assert result.attempts_total == 100_000
    assert len(result.attempts) == 100


def test_input_rules(engine) -> None:
    with pytest.raises(InvalidInputError):
        engine.prepare("oneuptime", {})
    with pytest.raises(InvalidInputError) as caught:
        engine.prepare("oneuptime", {"_id": "a", "status": "Busy"})
    assert caught.value.field == "_id"
    with pytest.raises(InvalidInputError):
        engine.prepare("oneuptime", {"status": "Sometimes"})
    with pytest.raises(InvalidInputError):
        engine.prepare("oneuptime", {"startedAtFrom": "yesterday"})


def test_rate_limited_answer_is_explained(engine, simulator) -> None:
    simulator.add_fault("oneuptime", "status:429", count=3)
    with pytest.raises(RateLimitedError, match="100 operations per second"):
        run(engine, lambda: engine.lookup("oneuptime", {"incomingCallLogId": sim.SMALL_CALL}))


def test_page_without_data_is_a_bad_response() -> None:
    from desktop.core.errors import BadResponseError

    with pytest.raises(BadResponseError):
        parse_page({"count": 3}, 0)
    with pytest.raises(BadResponseError):
        parse_page({"data": [{"status": "x"}]}, 0)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("Connected", AttemptOutcome.ANSWERED),
        ("Completed", AttemptOutcome.ANSWERED),
        ("NoAnswer", AttemptOutcome.NOT_ANSWERED),
        ("CallerHungUp", AttemptOutcome.NOT_ANSWERED),
        ("Ringing", AttemptOutcome.IN_PROGRESS),
        ("Voicemail", None),  # unknown words are kept as they came, with no meaning guessed
        (None, None),
    ],
)
def test_status_words_get_their_outcome(status, outcome) -> None:
    attempt = parse_attempt({"_id": "a-1", "status": status})
    assert attempt.status == status
    assert attempt.outcome is outcome


def test_whole_days_cover_start_to_end_in_local_time(kolkata) -> None:
    """A date alone: from the first day's 00:00 to the last day's 23:59:59.999, local time,
    sent as UTC instants (OneUptime compares instants)."""
    assert build_query({"startedAtFrom": "2026-11-20", "startedAtTo": "2026-11-21"}) == {
        "startedAt": {
            "_type": "InBetween",
            "startValue": "2026-11-19T18:30:00.000Z",
            "endValue": "2026-11-21T18:29:59.999Z",
        }
    }
    assert build_query({"startedAtTo": "2026-11-20T09:00"}) == {  # a time without offset: local
        "startedAt": {"_type": "LessThanOrEqual", "value": "2026-11-20T03:30:00.000Z"}
    }
    assert build_query({"startedAtFrom": "2026-11-20T09:00:00+01:00"}) == {
        "startedAt": {"_type": "GreaterThanOrEqual", "value": "2026-11-20T08:00:00.000Z"}
    }


def test_a_single_day_finds_every_attempt_of_that_day(engine, monkeypatch) -> None:
    """The 250-attempt call starts 2026-11-20 09:00 UTC, one attempt every 45 s (3 h 7 min):
    all on that local day in UTC, none on the next."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        day = {"incomingCallLogId": sim.CALL_250, "startedAtFrom": "2026-11-20",
               "startedAtTo": "2026-11-20"}  # fmt: skip
        assert run(engine, lambda: engine.lookup("oneuptime", day)).attempts_total == 250
        after = {"incomingCallLogId": sim.CALL_250, "startedAtFrom": "2026-11-21"}
        assert run(engine, lambda: engine.lookup("oneuptime", after)).attempts_total == 0
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"startedAtFrom": "2026-13-01"}, "startedAtFrom", "not a real date"),
        ({"startedAtFrom": "2026-02-30"}, "startedAtFrom", "not a real date"),
        ({"startedAtFrom": "2026-11-21", "startedAtTo": "2026-11-20"}, "startedAtTo", "before"),
        ({"_id": "no-such-attempt"}, "_id", "UUID"),
        ({"_id": ".."}, "_id", "UUID"),
        ({"incomingCallLogId": "550e8400-e29b-41d4-a716"}, "incomingCallLogId", "UUID"),
        ({"userId": "user-01"}, "userId", "UUID"),
        ({"userPhoneNumber": "555-0100"}, "userPhoneNumber", "country code"),
        ({"userPhoneNumber": "+1 555"}, "userPhoneNumber", "country code"),
    ],
)
def test_bad_filters_are_refused_before_sending(engine, simulator, params, field, words) -> None:
    with pytest.raises(InvalidInputError) as caught:
        engine.prepare("oneuptime", params)
    assert field in caught.value.problems  # type: ignore[attr-defined]
    assert words in caught.value.problems[field]  # type: ignore[attr-defined]
    assert simulator.request_counts.get("oneuptime", 0) == 0


@pytest.mark.parametrize(
    "typed", ["+1 (555) 010-0003", "001 555 010 0003", "+1.555.010.0003", "+15550100003"]
)
def test_phone_filters_are_sent_in_e164(engine, typed) -> None:
    prepared = engine.prepare(
        "oneuptime", {"incomingCallLogId": sim.CALL_250, "userPhoneNumber": typed}
    )
    assert prepared.params["userPhoneNumber"] == "+15550100003"
    found = run(engine, lambda: engine.run(prepared))
    assert found.attempts_total > 0
    assert {a.user_phone_number for a in found.attempts} == {"+15550100003"}


def test_the_simulator_types_values_as_oneuptimes_serializer_does(engine) -> None:
    """ObjectID for relation IDs, Phone for the number, DateTime for dates; _id, numbers,
    booleans and text plain; the client reads them all as values."""
    attempt_id = f"{sim.SMALL_CALL[:24]}{5:012d}"
    result = run(engine, lambda: engine.lookup("oneuptime", {"_id": attempt_id}))
    raw = result.calls[0].raw
    assert raw["_id"] == attempt_id
    assert raw["incomingCallLogId"] == {"_type": "ObjectID", "value": sim.SMALL_CALL}
    assert raw["projectId"] == {"_type": "ObjectID", "value": sim.PROJECT_ID}
    assert raw["userId"]["_type"] == "ObjectID"
    assert raw["userPhoneNumber"] == {"_type": "Phone", "value": "+15550100006"}
    assert raw["startedAt"] == {"_type": "DateTime", "value": "2026-11-20T09:03:45.000Z"}
    assert raw["isAnswered"] is True and raw["dialDurationInSeconds"] == 100
    (attempt,) = result.attempts
    assert attempt.incoming_call_log_id == sim.SMALL_CALL
    assert attempt.user_phone_number == "+15550100006"
    assert attempt.user_id == raw["userId"]["value"]
    assert attempt.escalation_rule_id == raw["incomingCallPolicyEscalationRuleId"]["value"]
    assert attempt.started_at is not None and attempt.started_at.isoformat() == (
        "2026-11-20T09:03:45+00:00"
    )
    assert attempt.is_answered is True and attempt.dial_duration_seconds == 100


def test_forms_and_paging_follow_the_declared_capabilities() -> None:
    from desktop.vendors import get_vendor
    from desktop.vendors.oneuptime import OneUptime

    vendor = get_vendor("oneuptime")
    assert isinstance(vendor, OneUptime)
    attempt = parse_attempt({
        "status": "NoAnswer", "_id": "a-1", "isAnswered": False, "dialDurationInSeconds": "30",
        "callCostInUSDCents": 2.5,
        "incomingCallLogId": {"_type": "ObjectID", "value": sim.SMALL_CALL},
    })  # fmt: skip
    # the edit form's values come from the attempt's own (unwrapped, typed) values
    assert vendor.edit_values(attempt) == {
        "status": "NoAnswer", "statusMessage": "", "isAnswered": "false",
        "dialDurationInSeconds": "30", "callCostInUSDCents": "2.5",
    }  # fmt: skip
    listing = {"incomingCallLogId": sim.SMALL_CALL, "status": "Busy"}
    assert vendor.creation_values(listing) == {"incomingCallLogId": sim.SMALL_CALL}
    assert vendor.lists_pages(listing)
    assert vendor.attempt_params("a-1") == {"_id": "a-1"}
    assert not vendor.lists_pages(vendor.attempt_params("a-1"))
    assert list(attempt.record())[:3] == ["vendor", "_id", "status"]  # the ID first, always


# -- the attempt as held in memory: compact, yet every format sees exactly what was sent --------
#: A history snapshot of one OneUptime attempt as the release before compact records wrote it
#: (its values a plain dict, times as OneUptime's serializer sent them).
SNAPSHOT_OF_AN_OLDER_RELEASE = (
    '{"vendor":"oneuptime","profile":"p","params":{},"summary":"","task":null,"calls":[],'
    '"recordings":[],"attempts":[{"vendor":"oneuptime","attempt_id":"a-1",'
    '"incoming_call_log_id":"c-1","user_id":"u-1","user_phone_number":"+15550100006",'
    '"escalation_rule_id":"r-1","status":"Connected","outcome":"answered",'
    '"status_message":"Answered by on-call engineer","dial_duration_seconds":100.0,'
    '"cost_usd_cents":2.0,"started_at":"2026-11-20T09:03:45Z","ended_at":"2026-11-20T09:05:25Z",'
    '"created_at":"2026-11-20T09:03:45Z","is_answered":true,"values":{"_id":"a-1",'
    '"createdAt":"2026-11-20T09:03:45.000Z","updatedAt":"2026-11-20T09:05:25.000Z",'
    '"incomingCallLogId":"c-1","incomingCallPolicyEscalationRuleId":"r-1","userId":"u-1",'
    '"userPhoneNumber":"+15550100006","status":"Connected","statusMeaning":"answered",'
    '"statusMessage":"Answered by on-call engineer","dialDurationInSeconds":100,'
    '"callCostInUSDCents":2,"callCostInUSD":0.02,"startedAt":"2026-11-20T09:03:45.000Z",'
    '"endedAt":"2026-11-20T09:05:25.000Z","isAnswered":true}}],"attempts_total":null,'
    '"notices":[],"raw_text":"","elapsed_seconds":null}'
)


def test_a_parsed_attempt_writes_the_snapshot_an_older_release_wrote_and_reads_it_back() -> None:
    from desktop.core.models import LookupResult

    def moment(text: str) -> dict[str, str]:
        return {"_type": "DateTime", "value": text}

    attempt = parse_attempt({
        "_id": "a-1", "createdAt": moment("2026-11-20T09:03:45.000Z"),
        "updatedAt": moment("2026-11-20T09:05:25.000Z"),
        "incomingCallLogId": {"_type": "ObjectID", "value": "c-1"},
        "incomingCallPolicyEscalationRuleId": {"_type": "ObjectID", "value": "r-1"},
        "userId": {"_type": "ObjectID", "value": "u-1"},
        "userPhoneNumber": {"_type": "Phone", "value": "+15550100006"},
        "status": "Connected", "statusMessage": "Answered by on-call engineer",
        "dialDurationInSeconds": 100, "callCostInUSDCents": 2,
        "startedAt": moment("2026-11-20T09:03:45.000Z"),
        "endedAt": moment("2026-11-20T09:05:25.000Z"), "isAnswered": True,
    })  # fmt: skip
    written = LookupResult(vendor="oneuptime", profile="p", attempts=[attempt])
    assert written.model_dump_json() == SNAPSHOT_OF_AN_OLDER_RELEASE
    loaded = LookupResult.model_validate_json(SNAPSHOT_OF_AN_OLDER_RELEASE)
    assert loaded.model_dump_json() == SNAPSHOT_OF_AN_OLDER_RELEASE
    assert loaded.records() == written.records()
    # held once: the created and started moment is one object, the same the columns read
    assert attempt.started_at is attempt.created_at
    assert attempt.values.held("startedAt") is attempt.started_at


def test_times_not_in_javascripts_form_are_kept_as_the_text_oneuptime_sent() -> None:
    sent = {
        "startedAt": "2026-11-20T11:03:45+02:00",  # an offset, not Z
        "endedAt": {"_type": "DateTime", "value": "2026-11-20T09:05:25Z"},  # no milliseconds
        "createdAt": "2026-11-20T09:03:45.123456Z",  # microseconds
        "updatedAt": "2026-11-20T09:05:25.120Z",
    }
    attempt = parse_attempt({"_id": "a-2", **sent})
    record = attempt.record()
    assert [record[key] for key in sent] == [
        "2026-11-20T11:03:45+02:00", "2026-11-20T09:05:25Z", "2026-11-20T09:03:45.123456Z",
        "2026-11-20T09:05:25.120Z",
    ]  # fmt: skip
    assert attempt.started_at is not None and attempt.started_at.hour == 11
    assert attempt.ended_at is not None and attempt.ended_at.second == 25
    assert isinstance(attempt.values.held("updatedAt"), datetime)
    assert isinstance(attempt.values.held("startedAt"), str)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        # Worked out by hand from ECMA-262's Date Time String Format (YYYY-MM-DDTHH:mm:ss.sssZ,
        # the year as four digits from 0000 to 9999) and toISOString (always UTC).
        (datetime(2026, 11, 20, 9, 3, 45, tzinfo=UTC), "2026-11-20T09:03:45.000Z"),
        (datetime(2026, 11, 20, 9, 3, 45, 123999, tzinfo=UTC), "2026-11-20T09:03:45.123Z"),
        (datetime.fromisoformat("2026-11-20T11:03:45.5+02:00"), "2026-11-20T09:03:45.500Z"),
        (datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC), "0999-01-02T03:04:05.000Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000Z"),
    ],
)
def test_times_are_written_as_javascripts_to_iso_string(moment: datetime, text: str) -> None:
    from desktop.core.models import javascript_time_text

    assert javascript_time_text(moment) == text


#: Texts around toISOString's form: out-of-range fields, other fractions, offsets, none.
_TIME_TEXTS = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25),
    st.integers(0, 61), st.integers(0, 61),
    st.sampled_from([".000Z", ".123Z", ".999Z", "Z", ".1Z", ".1234Z", ".000+00:00",
                     ".000+02:00", ".000", ".000z"]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_TIME_TEXTS)
def test_a_time_is_held_exactly_when_it_writes_back_as_it_came(text: str) -> None:
    """The shape check gives what comparing the written-back text gave (the definition)."""
    from desktop.core.models import javascript_time_text

    moment = parse_time(text)
    writes_back = moment is not None and javascript_time_text(moment) == text
    held = parse_attempt({"_id": "a", "startedAt": text}).values.held("startedAt")
    assert isinstance(held, datetime) is writes_back
    assert parse_attempt({"_id": "a", "startedAt": text}).record()["startedAt"] == text


def test_a_year_before_1000_is_held_and_read_back_as_sent() -> None:
    attempt = parse_attempt({"_id": "a", "startedAt": "0999-01-02T03:04:05.000Z"})
    assert isinstance(attempt.values.held("startedAt"), datetime)
    assert attempt.record()["startedAt"] == "0999-01-02T03:04:05.000Z"


@pytest.mark.parametrize("hostile", [10**400, "1e999", float("nan"), float("inf"), "-Infinity"])
def test_a_quantity_no_float_holds_is_no_quantity(hostile: object) -> None:
    """A hostile answer's huge integer raised OverflowError out of the parser, and NaN or
    Infinity went into every sum; each is now simply no dial time and no cost."""
    item = {"_id": "a", "dialDurationInSeconds": hostile, "callCostInUSDCents": hostile}
    attempt = parse_attempt(item)
    assert attempt.dial_duration_seconds is None
    assert attempt.cost_usd_cents is None
    period = period_item(item)
    assert period.dial_seconds is None
    assert period.cost_usd_cents is None


def test_quantities_sent_as_numbers_or_digits_are_kept() -> None:
    item = {"_id": "a", "dialDurationInSeconds": "30", "callCostInUSDCents": 4}
    attempt = parse_attempt(item)
    assert (attempt.dial_duration_seconds, attempt.cost_usd_cents) == (30.0, 4.0)


def test_the_raw_text_is_compact_json_the_view_indents_as_pretty_body_did() -> None:
    """The raw view shows what ``pretty_body`` wrote before (JSON indented, as it came); a
    text cut at the cap, or one not JSON, as it is."""
    from desktop.core.http import HttpResponse
    from desktop.vendors.base import compact_json, indented, pretty_body

    sent = '{"data": [{"_id": "a\\/1", "note": "caf\\u00e9 \\"x\\"", "n": 1.5e3}], "count": 1}'
    response = HttpResponse(200, {}, sent.encode(), safe_url="http://v/", elapsed=0.0)
    body = json.loads(sent)
    assert indented(compact_json(body)) == pretty_body(response)
    assert indented(pretty_body(response)) == pretty_body(response)
    cut = compact_json(body, limit=20)
    assert cut.endswith("more characters not shown)") and indented(cut) == cut
    assert indented("<xml>not JSON</xml>") == "<xml>not JSON</xml>"
