"""`--format json|csv|tsv` carries values: each vendor's fields under the vendor's own names,
typed as the vendor sent them (the examples on each vendor's API page: LeadSquared's Post a Call
Log Status, Huawei cec_07_0063 and cec_07_0784, OneUptime's Incoming Call Log Item reference,
Verba's Get Call Information), meanings in added fields. Real CLI runs in a subprocess against the
simulator; the shapes asserted here are the ones README's "JSON output" section lists."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from typing import Any

from desktop.simulator import huawei_aicc, leadsquared, oneuptime, verba
from tests.cli.conftest import cli


def _json(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    done = cli(env, "lookup", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def _types(row: dict[str, Any]) -> dict[str, str]:
    return {key: type(value).__name__ for key, value in row.items()}


def test_oneuptime_json_is_read_by_a_script_as_bool_and_number(demo_profile) -> None:
    """The issue's own check: the CLI's JSON piped into `python3 -c`, reading isAnswered as a
    bool and dialDurationInSeconds as a number."""
    env = demo_profile("oneuptime")
    lookup = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "lookup", "oneuptime",
         f"incomingCallLogId={oneuptime.SMALL_CALL}", "--format", "json"],
        capture_output=True, env=env, timeout=60, check=True,
    )  # fmt: skip
    script = (
        "import json, sys\n"
        "rows = json.load(sys.stdin)\n"
        "assert all(isinstance(r['isAnswered'], bool) for r in rows)\n"
        "assert all(type(r['dialDurationInSeconds']) in (int, float) for r in rows)\n"
        "print(sum(r['dialDurationInSeconds'] for r in rows), sum(r['isAnswered'] for r in rows))"
    )
    read = subprocess.run(
        [sys.executable, "-c", script], input=lookup.stdout, capture_output=True, check=True
    )
    total, answered = read.stdout.split()
    attempts = [
        oneuptime.generated_attempt(oneuptime.SMALL_CALL, index)
        for index in range(len(json.loads(lookup.stdout)))
    ]
    assert float(total) == sum(a["dialDurationInSeconds"] for a in attempts)
    assert int(answered) == sum(a["isAnswered"] for a in attempts)


def test_oneuptime_attempt_fields_and_types(demo_profile) -> None:
    env = demo_profile("oneuptime")
    row = _json(env, "oneuptime", f"incomingCallLogId={oneuptime.CALL_250}")[0]
    assert list(row) == [
        "vendor", "_id", "createdAt", "updatedAt", "projectId", "incomingCallLogId",
        "incomingCallPolicyEscalationRuleId", "userId", "userPhoneNumber", "status",
        "statusMeaning", "statusMessage", "dialDurationInSeconds", "callCostInUSDCents",
        "callCostInUSD", "startedAt", "endedAt", "isAnswered",
    ]  # fmt: skip
    assert _types(row) == {
        "vendor": "str", "_id": "str", "createdAt": "str", "updatedAt": "str",
        "projectId": "str", "incomingCallLogId": "str",
        "incomingCallPolicyEscalationRuleId": "str", "userId": "str", "userPhoneNumber": "str",
        "status": "str", "statusMeaning": "str", "statusMessage": "str",
        "dialDurationInSeconds": "int", "callCostInUSDCents": "int", "callCostInUSD": "float",
        "startedAt": "str", "endedAt": "str", "isAnswered": "bool",
    }  # fmt: skip
    sent = oneuptime.generated_attempt(oneuptime.CALL_250, 0)
    on_the_wire = oneuptime.serialized(sent)["startedAt"]  # {"_type": "DateTime", "value": ...}
    assert row["startedAt"] == on_the_wire["value"]  # ISO 8601 with the offset OneUptime sent
    assert row["callCostInUSD"] == sent["callCostInUSDCents"] / 100
    assert row["statusMeaning"] == "not answered"


def test_oneuptime_csv_carries_plain_numbers_and_true_false(demo_profile) -> None:
    env = demo_profile("oneuptime")
    done = cli(env, "lookup", "oneuptime", f"incomingCallLogId={oneuptime.SMALL_CALL}",
               "--format", "csv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout, newline="")))
    assert {row["isAnswered"] for row in rows} <= {"true", "false"}
    assert all(row["dialDurationInSeconds"].isdigit() for row in rows)
    assert all(float(row["callCostInUSD"]) < 1 for row in rows)
    assert rows[0]["userPhoneNumber"] == "'+15550100001"  # a file keeps the formula guard


def test_leadsquared_fields_and_types(demo_profile) -> None:
    env = demo_profile("leadsquared")
    [row] = _json(env, "leadsquared", f"RequestId={leadsquared.SUCCESS_ID}")
    assert _types(row) == {
        "vendor": "str", "RequestId": "str", "TaskType": "str", "Status": "str",
        "StatusMeaning": "str", "StatusReason": "str", "TaskCurrentStep": "NoneType",
        "TaskLastStep": "str", "RequestBody": "dict", "Message": "dict",
    }  # fmt: skip
    assert row["Status"] == "Success" and row["StatusMeaning"] == "success"
    assert row["RequestBody"] == {  # the status page's example, decoded; times ISO (UTC), seconds
        "SourceNumber": "8077128602",
        "DestinationNumber": "9399822316",
        "DisplayNumber": "8068121655",
        "StartTime": "2020-09-30T13:33:00Z",
        "EndTime": "2020-09-30T13:58:00Z",
        "CallSessionId": "61df8827-63d1-4f31-bd3c-ae2d9947161d",
        "CallDuration": 1497,
        "Status": "Answered",
        "ResourceURL": "https://sr.knowlarity.com/vr/fetchsound/?callid="
        "61df8827-63d1-4f31-bd3c-ae2d9947161d",
        "Direction": "Inbound",
    }
    assert row["Message"] == {
        "Status": "Success",
        "Message": "Phone Call Logged Successfully",
        "ProspectActivityId": "a9532087-0378-11eb-b8e7-0641ba0398c2",
    }
    done = cli(env, "lookup", "leadsquared", f"RequestId={leadsquared.SUCCESS_ID}",
               "--format", "csv")  # fmt: skip
    [flat] = list(csv.DictReader(io.StringIO(done.stdout, newline="")))
    assert json.loads(flat["RequestBody"])["CallDuration"] == 1497  # CSV: the JSON text


def test_huawei_aicc_fields_and_types(demo_profile) -> None:
    env = demo_profile("huawei-aicc")
    [row] = _json(env, "huawei-aicc", "callId=1652317325-339")
    sent = huawei_aicc.CALLS["1652317325-339"]  # the example response on cec_07_0063
    assert row == {"vendor": "huawei-aicc", **sent, "callTypeMeaning": "common incoming call",
                   "mediaAbilityMeaning": "voice"}  # fmt: skip
    assert _types(row) == {
        "vendor": "str", "caller": "int", "called": "int", "mediaAbility": "int",
        "mediaAbilityMeaning": "str", "calldata": "str", "callId": "str", "callSkillId": "int",
        "callSkill": "str", "callType": "int", "callTypeMeaning": "str",
    }  # fmt: skip


def test_huawei_isales_fields_and_types(demo_profile) -> None:
    env = demo_profile("huawei-isales")
    [row] = _json(env, "huawei-isales", "vdnId=8", "callId=1644464743-1388")
    assert _types(row) == {
        "vendor": "str", "callId": "str", "called": "str", "callEndTime": "str", "vdnId": "int",
        "callStatus": "str", "callStatusMeaning": "str", "failCode": "str",
        "failCodeMeaning": "str", "resultCode": "str", "callBeginTime": "str",
        "recordPath": "str", "ackBeginTime": "str", "recordPathExpires": "str",
    }  # fmt: skip
    # cec_07_0784's example: codes exactly as sent, times ISO 8601 without a zone (none named)
    assert (row["callStatus"], row["callStatusMeaning"]) == ("6", "succeeded")
    assert (row["failCode"], row["failCodeMeaning"]) == ("00000", "success")
    assert row["callEndTime"] == "2022-02-10T11:45:51"
    assert row["recordPath"].startswith("https://") and "Expires=" in row["recordPath"]
    assert row["recordPathExpires"].endswith("Z")


def test_verba_fields_and_types(demo_profile) -> None:
    env = demo_profile("verba")
    [row] = _json(env, "verba", "extension=8856", "--details")
    call = verba.CALLS[verba.LAST]
    assert list(row) == ["vendor", "CallID", *call, "URL"]
    assert {type(value) for value in row.values()} == {str}  # XML carries text; codes stay text
    assert row["direction_id"] == "2"
    # the demo profile logs in: times are in the API user's zone, which Verba does not name
    assert row["start_time"] == "2026-11-20T09:15:02.120"
    assert row["URL"].endswith(verba.LAST)
