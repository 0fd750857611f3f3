"""``calllookup-cli bulk`` run as a real subprocess against the simulator: streamed rows, exit
statuses, atomic --output, --resume and Ctrl+C."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from desktop.simulator.leadsquared import FAILED_ID, QUEUED_ID, SUCCESS_ID
from desktop.simulator.server import Simulator
from tests.cli.conftest import cli

UNKNOWN = "11111111-1111-4111-8111-111111111111"


def _rows(text: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in text.splitlines()]


def test_found_not_found_and_error_rows_exit_1_with_a_summary(
    leadsquared_profile: dict[str, str], tmp_path: Path, simulator: Simulator
) -> None:
    source = tmp_path / "ids.csv"
    source.write_bytes(
        f'Agent,RequestId\r\nana,"{SUCCESS_ID}"\r\nbo,{UNKNOWN}\r\ncy,not/valid\r\n'
        f"\r\ndi,{SUCCESS_ID}\r\n".encode()
    )
    done = cli(leadsquared_profile, "bulk", "leadsquared", str(source), "--column", "RequestId")
    assert done.returncode == 1, done.stderr
    rows = {row["id"]: row for row in _rows(done.stdout)}
    assert set(rows) == {SUCCESS_ID, UNKNOWN, "not/valid"}  # the duplicate asked once
    assert rows[SUCCESS_ID]["state"] == "found"
    assert rows[SUCCESS_ID]["RequestBody.SourceNumber"] == "8077128602"
    assert rows[UNKNOWN]["state"] == "not_found"
    assert rows["not/valid"]["state"] == "error"
    assert str(rows["not/valid"]["message"]).startswith("invalid: RequestId")
    assert done.stderr.strip().splitlines() == [
        "calllookup-cli: bulk leadsquared: 1 found, 1 not found, 1 failed, of 3 IDs"
    ]
    assert simulator.request_counts["leadsquared"] == 2  # the invalid ID was not sent


def test_all_found_from_stdin_exit_0_csv_header_then_rows(
    leadsquared_profile: dict[str, str],
) -> None:
    done = cli(leadsquared_profile, "bulk", "leadsquared", "-", "--format", "csv",
               stdin=f"{SUCCESS_ID}\n{QUEUED_ID}\n\n{FAILED_ID}\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("id,state,message,vendor,RequestId")
    assert len(lines) == 4 and done.stderr == ""


def test_invalid_input_exit_2_and_nothing_sent(
    leadsquared_profile: dict[str, str], tmp_path: Path, simulator: Simulator
) -> None:
    source = tmp_path / "ids.csv"
    source.write_text(f"RequestId\n{SUCCESS_ID}\n")
    for args, message in [
        ((str(tmp_path / "missing.csv"),), "Cannot read"),
        ((str(source), "--column", "CallId"), "No column 'CallId'"),
        ((str(source), "--field", "nope"), "has no input 'nope'"),
        ((str(source), "--resume"), "--resume needs --output"),
    ]:
        done = cli(leadsquared_profile, "bulk", "leadsquared", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr
    empty = cli(leadsquared_profile, "bulk", "leadsquared", "-", stdin="\n\n")
    assert empty.returncode == 2 and "no ID" in empty.stderr
    assert simulator.request_counts.get("leadsquared", 0) == 0


def test_output_resume_keeps_answered_rows_and_asks_only_the_rest(
    leadsquared_profile: dict[str, str], tmp_path: Path, simulator: Simulator
) -> None:
    source = tmp_path / "ids.txt"
    source.write_text(f"{SUCCESS_ID}\n{QUEUED_ID}\n{FAILED_ID}\n")
    output = tmp_path / "out" / "rows.jsonl"
    simulator.add_fault("leadsquared", "status:500", count=1)  # one ID fails the first time
    first = cli(leadsquared_profile, "bulk", "leadsquared", str(source), "--output", str(output))
    assert first.returncode == 1 and first.stdout == ""
    states = sorted(row["state"] for row in _rows(output.read_text()))
    assert states == ["error", "found", "found"]
    assert [p.name for p in output.parent.iterdir()] == ["rows.jsonl"]  # no temporary left
    sent_before = simulator.request_counts["leadsquared"]
    again = cli(leadsquared_profile, "bulk", "leadsquared", str(source), "--output", str(output),
                "--resume")  # fmt: skip
    assert again.returncode == 0, again.stderr
    rows = _rows(output.read_text())
    assert sorted(row["id"] for row in rows) == sorted([SUCCESS_ID, QUEUED_ID, FAILED_ID])
    assert {row["state"] for row in rows} == {"found"}
    assert simulator.request_counts["leadsquared"] - sent_before == 1  # only the failed one


def test_ctrl_c_keeps_the_rows_done_and_exits_130_and_resume_finishes(
    leadsquared_profile: dict[str, str], tmp_path: Path, simulator: Simulator
) -> None:
    # 40 IDs at 25 per 5 s: Ctrl+C once 10 have been asked.
    ids = [f"22222222-2222-4222-8222-{n:012d}" for n in range(40)]
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    output = tmp_path / "rows.jsonl"
    command = [sys.executable, "-m", "desktop.cli", "bulk", "leadsquared", str(source),
               "--output", str(output)]  # fmt: skip
    process = subprocess.Popen(command, env=leadsquared_profile, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while simulator.request_counts.get("leadsquared", 0) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    asked = simulator.request_counts["leadsquared"]
    kept = _rows(output.read_text())  # whole lines only: every row done is kept
    assert 1 <= len(kept) <= asked < len(ids)
    assert {row["state"] for row in kept} == {"not_found"}
    again = cli(leadsquared_profile, "bulk", "leadsquared", str(source), "--output", str(output),
                "--resume")  # fmt: skip
    assert again.returncode == 1
    rows = _rows(output.read_text())
    assert sorted(row["id"] for row in rows) == ids
    # The resumed run asked only the IDs without a row: those dropped by Ctrl+C and the rest.
    assert simulator.request_counts["leadsquared"] - asked == len(ids) - len(kept)


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    leadsquared_profile: dict[str, str],
) -> None:
    done = cli(leadsquared_profile, "bulk", "leadsquared", "-", stdin=f"{SUCCESS_ID}\n")
    assert done.returncode == 0 and done.stderr == ""


def test_output_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(
    leadsquared_profile: dict[str, str], tmp_path: Path
) -> None:
    import os
    import stat
    import threading

    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    done = cli(leadsquared_profile, "bulk", "leadsquared", "-", "--output", str(fifo),
               stdin=f"{SUCCESS_ID}\n")  # fmt: skip
    reader.join(30)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _rows(received[0])[0]["id"] == SUCCESS_ID


def test_progress_bar_on_stderr_when_it_is_a_terminal(
    leadsquared_profile: dict[str, str],
) -> None:
    import fcntl
    import os
    import pty
    import struct
    import termios
    import threading

    primary, secondary = pty.openpty()
    # A new pseudo-terminal is 0 columns wide: give it a real terminal's size.
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    shown = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed with the process
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "bulk", "leadsquared", "-"],
        env=leadsquared_profile, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=secondary, text=True,
    )  # fmt: skip
    os.close(secondary)
    out, _err = process.communicate(f"{SUCCESS_ID}\n{QUEUED_ID}\n", timeout=60)
    reader.join(10)
    os.close(primary)
    assert process.returncode == 0
    assert re.search(rb"[12]/2 \[[0-9:]+<[0-9:]+, +[0-9.]+(ID/s|s/ID)\]", shown)  # done / total,
    # time spent, time left and the rate
    assert len(_rows(out)) == 2  # stdout carries only the rows


def test_csv_and_json_outputs_resume_too(
    leadsquared_profile: dict[str, str], tmp_path: Path, simulator: Simulator
) -> None:
    import csv

    ids = f"{SUCCESS_ID}\n{QUEUED_ID}\n{UNKNOWN}\n"
    for fmt in ("csv", "tsv", "json"):
        output = tmp_path / f"rows.{fmt}"
        first = cli(leadsquared_profile, "bulk", "leadsquared", "-", "--format", fmt,
                    "--output", str(output), stdin=ids)  # fmt: skip
        assert first.returncode == 1, first.stderr  # one not found
        sent = simulator.request_counts["leadsquared"]
        again = cli(leadsquared_profile, "bulk", "leadsquared", "-", "--format", fmt,
                    "--output", str(output), "--resume", stdin=ids)  # fmt: skip
        assert again.returncode == 1 and simulator.request_counts["leadsquared"] == sent
        text = output.read_text()
        if fmt == "json":
            rows = json.loads(text)
        else:
            delimiter = "\t" if fmt == "tsv" else ","
            rows = list(csv.DictReader(text.splitlines(), delimiter=delimiter))
        assert sorted(row["state"] for row in rows) == ["found", "found", "not_found"]
        assert {row["id"] for row in rows} == {SUCCESS_ID, QUEUED_ID, UNKNOWN}


def test_oneuptime_rows_carry_typed_values_and_a_message_in_words(demo_profile) -> None:
    env = demo_profile("oneuptime")
    no_answer = "9b1d7e3f-2c4a-4e6b-8d0f-000000000000"  # the simulator's generated attempt 0
    done = cli(env, "bulk", "oneuptime", "-", "--field", "_id", stdin=f"{no_answer}\n")
    assert done.returncode == 0, done.stderr
    row: dict[str, object] = json.loads(done.stdout)  # one row: one object
    assert row["status"] == "NoAnswer" and row["statusMeaning"] == "not answered"
    assert row["isAnswered"] is False and isinstance(row["dialDurationInSeconds"], int | float)
    assert row["message"] == f"Attempt {no_answer}: No answer, not answered"
