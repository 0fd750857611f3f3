"""``calllookup-cli oneuptime report`` run as a subprocess against the simulator: the figures of
the hand-computed data set, in JSON, CSV and text; bad input exits 2 with nothing sent."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from desktop.analytics import report_cli
from desktop.simulator import oneuptime as sim
from tests.analytics import dataset as ds
from tests.cli.conftest import cli, cli_env, demo_profile  # noqa: F401 - fixtures

PERIOD = (f"startedAtFrom={ds.FROM_DATE}", f"startedAtTo={ds.TO_DATE}")


@pytest.fixture
def env(simulator, demo_profile) -> dict[str, str]:  # noqa: F811 - the fixture
    sim.seed_attempts(simulator.vendors["oneuptime"], ds.ATTEMPTS)
    return dict(demo_profile("oneuptime"), TZ=ds.ZONE_NAME)


def test_report_by_user_in_json(env) -> None:
    done = cli(env, "oneuptime", "report", *PERIOD, "--by", "user", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {row["group"]: row for row in json.loads(done.stdout)}
    assert {
        group: (row["attempts"], row["answered"], row["calls"], row["totalDialDurationInSeconds"],
                row["medianDialDurationInSeconds"], row["p90DialDurationInSeconds"],
                row["totalCallCostInUSDCents"])
        for group, row in rows.items()
    } == ds.BY_USER  # fmt: skip
    assert rows[ds.U2]["answerRate"] == 0 and rows[ds.U2]["notAnswered"] == 3
    assert rows[ds.U1]["userId"] == ds.U1
    assert rows[ds.U1]["userName"] is None  # the demo does not know these users' names


@pytest.mark.parametrize(
    ("by", "expected"),
    [("rule", ds.BY_RULE), ("status", ds.BY_STATUS)],
)
def test_report_by_rule_and_status_in_csv(
    env, by: str, expected: dict[str, tuple[int, ...]]
) -> None:
    done = cli(env, "oneuptime", "report", *PERIOD, f"--by={by}", "--format=csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {row["group"]: (int(row["attempts"]), int(row["answered"])) for row in rows} == {
        group: figures[:2] for group, figures in expected.items()
    }


def test_report_by_call_and_day(env) -> None:
    calls = json.loads(cli(env, "oneuptime", "report", *PERIOD, "--by", "call",
                           "--format", "json").stdout)  # fmt: skip
    assert {row["group"]: (row["attempts"], row["attemptsUntilAnswered"], row["secondsToAnswer"])
            for row in calls} == ds.BY_CALL  # fmt: skip
    days = json.loads(cli(env, "oneuptime", "report", *PERIOD, "--by", "day",
                          "--format", "json").stdout)  # fmt: skip
    assert {row["group"]: (row["attempts"], row["answered"]) for row in days} == ds.BY_DAY


def test_report_in_text(env) -> None:
    done = cli(env, "oneuptime", "report", *PERIOD)
    assert done.returncode == 0, done.stderr
    first, *rows = done.stdout.splitlines()
    assert first.split()[:3] == ["user", "attempts", "answered"]
    assert len(rows) == 3
    assert ds.U2 in done.stdout and "0%" in done.stdout
    # Durations read as h:mm:ss, as the review view shows them: U1's dials 30, 60 and 30 s
    # (median 30, 90th percentile 60, total 120) and 7 cents.
    (u1_row,) = [row for row in rows if row.split()[1:4] == ["3", "2", "1"]]
    assert u1_row.split()[-4:] == ["0:00:30", "0:01:00", "0:02:00", "$0.07"]


@pytest.mark.parametrize(
    "params",
    [
        (f"startedAtFrom={ds.FROM_DATE}",),
        ("startedAtFrom=2025-13-01", f"startedAtTo={ds.TO_DATE}"),
        (f"startedAtFrom={ds.TO_DATE}", f"startedAtTo={ds.FROM_DATE}"),
        (*PERIOD, "colour=blue"),
    ],
)
def test_bad_input_exits_2_with_one_line(env, simulator, params: tuple[str, ...]) -> None:
    done = cli(env, "oneuptime", "report", *params)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("count", [0, 1, 3, 4, 7])
def test_json_written_a_chunk_at_a_time_is_what_json_dumps_writes(count: int) -> None:
    """Byte for byte, across chunk edges, with text that looks like the breaks between values
    or rows or like %-formatting, JSON's names for the numbers it has no digits for, and
    columns whose equal values read differently (0.0 and -0.0; 1, 1.0 and True) or alike."""
    texts = ["},\n    {", '"}, {"', "line\nbreak\ttab", "☎ näive \u2028", "\\", "", "x" * 300, "[]",
             '"]\n["', "]\n[", "%s %% %d %"]  # fmt: skip
    numbers = [0, -0.0, 1.5, 1e300, math.inf, -math.inf, math.nan, 2**70, True, None]
    rows = [
        {"group": texts[n % len(texts)], "attempts": n, "answerRate": numbers[n % len(numbers)],
         "secondsToAnswer": None if n % 2 else n / 7, "calls": n % 2, "dial": (1.5, 2.0)[n % 2],
         "cost": (0.0, -0.0, 3.0)[n % 3], "mixed": (1, 1.0, True)[n % 3], "%s": "%s",
         "same": texts[0]}
        for n in range(count)
    ]  # fmt: skip
    out = io.StringIO()
    fields = list(rows[0]) if rows else []
    report_cli.write_json(fields, (list(row.values()) for row in rows), out, chunk=3)
    assert out.getvalue() == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def test_json_refuses_a_row_without_a_value_for_each_field() -> None:
    with pytest.raises(ValueError, match="each field"):
        report_cli.write_json(["group", "attempts"], [["a", 1], ["b"]], io.StringIO())
