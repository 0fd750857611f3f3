"""``calllookup-cli bulk``: a column of IDs in, one row per ID out, as the answers come.

Output rows stream: ``jsonl`` one object a line, ``csv``/``tsv`` a header then rows (the header
is written with the first found row, so it names that record's fields; rows before it wait),
``json`` a list written at the end. ``--output`` writes to a temporary file beside the target,
flushed after every row, and replaces the target when the run ends, Ctrl+C included; an earlier
output is kept until then. ``--resume`` keeps the found and not-found rows of that file and asks
only the other IDs again (errors are retried).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from pydantic import JsonValue

from desktop.bulk import BulkRun, BulkState, RememberedSecrets, id_field, plan_jobs
from desktop.core.bulk_io import cell_text, parse_lines, read_table
from desktop.core.errors import InvalidInputError
from desktop.core.export import to_csv, tsv_line
from desktop.engine import LookupEngine
from desktop.vendors import get_vendor

BULK_FORMATS = ("jsonl", "csv", "tsv", "json")
#: Rows kept by --resume: the IDs that were answered.
_ANSWERED = (BulkState.FOUND.value, BulkState.NOT_FOUND.value)
_FIRST_COLUMNS = ("id", "state", "message")


def add_bulk_parser(commands: Any, vendor_keys: list[str]) -> None:
    bulk = commands.add_parser(
        "bulk",
        help="look up a column of IDs, at the vendor's own rate limit",
        description="Look up every ID of a column (CSV, TSV, XLSX, ODS, or one ID a line on "
        "standard input with FILE '-'); rows stream out as the answers come. Exit status: 0 "
        "every ID found, 1 any not found or failed (an ID the vendor's rules refuse is a row "
        "in state 'error', nothing is sent for it), 2 invalid input (nothing sent), 130 "
        "interrupted (the rows done are kept).",
    )
    bulk.add_argument("vendor", choices=vendor_keys)
    bulk.add_argument("file", metavar="FILE", help="the IDs: a CSV, TSV, XLSX or ODS file, or -")
    bulk.add_argument("--column", metavar="NAME",
                      help="the column holding the IDs: its header or number (default: the one "
                      "named like the vendor's input, else the first)")  # fmt: skip
    bulk.add_argument("--field", metavar="INPUT",
                      help="the vendor input the IDs go to (default: the call or request ID; "
                      "e.g. _id for OneUptime attempt IDs)")  # fmt: skip
    bulk.add_argument("--profile", help="profile name (default: the only one, else 'default')")
    bulk.add_argument("--format", choices=BULK_FORMATS, default="jsonl", help="output format")
    bulk.add_argument("--output", metavar="FILE", help="write the rows to FILE (atomically)")
    bulk.add_argument(
        "--resume", action="store_true",
        help="keep the answered rows already in --output and skip their IDs",
    )  # fmt: skip


class _RowWriter:
    """Rows in one format to a text stream, flushed row by row."""

    def __init__(self, out: TextIO, fmt: str) -> None:
        self._out = out
        self._fmt = fmt
        self._columns: list[str] | None = None
        self._waiting: list[dict[str, JsonValue]] = []
        self._json_rows: list[dict[str, JsonValue]] = []

    def write(self, row: dict[str, JsonValue]) -> None:
        if self._fmt == "jsonl":
            self._out.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif self._fmt == "json":
            self._json_rows.append(row)
            return
        elif self._columns is None and row["state"] != BulkState.FOUND.value:
            self._waiting.append(row)
            return
        else:
            if self._columns is None:
                self._start_table(list(row))
            self._line(row)
        self._out.flush()

    def _start_table(self, columns: list[str]) -> None:
        self._columns = columns
        self._out.write(self._text(columns) + "\n")
        for waiting in self._waiting:
            self._line(waiting)
        self._waiting = []

    def _text(self, cells: list[str]) -> str:
        if self._fmt == "tsv":
            return tsv_line(cells)
        return to_csv([], cells).rstrip("\n")  # the header line alone: cells quoted as in export

    def _line(self, row: dict[str, JsonValue]) -> None:
        assert self._columns is not None
        cells = [cell_text(row.get(name)) for name in self._columns]
        if self._fmt == "tsv":
            self._out.write(tsv_line(cells) + "\n")
        else:
            self._out.write(to_csv([dict(zip(self._columns, cells, strict=True))],
                                   self._columns).split("\n", 1)[1])  # fmt: skip

    def close(self) -> None:
        if self._fmt == "json":
            self._out.write(json.dumps(self._json_rows, indent=2, ensure_ascii=False) + "\n")
        elif self._fmt in ("csv", "tsv") and self._columns is None and self._waiting:
            self._start_table(list(_FIRST_COLUMNS))
        self._out.flush()


def read_previous(path: Path, fmt: str) -> list[dict[str, JsonValue]]:
    """The answered rows of an earlier output (found and not found), for --resume."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as error:
        raise InvalidInputError(f"Cannot read {path}: {error.strerror}.") from error
    rows: list[dict[str, JsonValue]]
    try:
        if fmt == "jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif fmt == "json":
            rows = json.loads(text) if text.strip() else []
        else:
            delimiter = "\t" if fmt == "tsv" else ","
            rows = [dict(row) for row in csv.DictReader(text.splitlines(), delimiter=delimiter)]
    except (ValueError, csv.Error) as error:
        raise InvalidInputError(f"{path} is not {fmt} from an earlier run: {error}.") from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise InvalidInputError(f"{path} is not {fmt} rows from an earlier run.")
    return [row for row in rows if row.get("state") in _ANSWERED and row.get("id")]


def read_ids(args: argparse.Namespace, field: str) -> list[str]:
    """The unique IDs of the chosen column (InvalidInputError: nothing to send)."""
    table = parse_lines(sys.stdin) if args.file == "-" else read_table(Path(args.file))
    ids = table.ids(table.column_index(args.column, preferred=(field,)))
    if not ids:
        raise InvalidInputError(f"There is no ID in {args.file}.")
    return ids


@contextmanager
def _destination(output: str | None, stdout: TextIO) -> Iterator[TextIO]:
    """stdout, or a temporary file beside ``output`` that replaces it when the block ends
    (however it ends: what was written is kept); a device or pipe is written directly."""
    if output is None:
        yield stdout
        return
    target = Path(output)
    if target.exists() and not target.is_file():
        # A device or a pipe (/dev/null, a FIFO) is written to, never replaced by a file.
        with target.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def run_bulk(args: argparse.Namespace, engine: LookupEngine, out: TextIO) -> int:
    """Exit 0 every ID found, 1 any not found or failed, 2 invalid input, 130 interrupted."""
    from desktop.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK

    # Each check raises InvalidInputError (exit 2) before anything is sent.
    if args.resume and not args.output:
        raise InvalidInputError("--resume needs --output (the file whose rows are kept)")
    # Each secret read once for the whole run, not once per ID (an OS keyring read is an IPC
    # round trip), as the window's bulk runs do. The CLI's engine serves this one command.
    engine.secrets = RememberedSecrets(engine.secrets)
    vendor = get_vendor(args.vendor)
    field = id_field(vendor, args.field)
    ids = read_ids(args, field)
    kept = read_previous(Path(args.output), args.format) if args.resume else []
    job = plan_jobs(engine, args.vendor, args.profile, field)[0]
    done_ids = {str(row["id"]) for row in kept}
    todo = [value for value in ids if value not in done_ids]
    counts = {state: 0 for state in BulkState}
    for row in kept:
        counts[BulkState(str(row["state"]))] += 1
    run = BulkRun(engine, job, todo)

    with _destination(args.output, out) as stream:
        writer = _RowWriter(stream, args.format)
        for row in kept:
            writer.write(row)
        try:
            asyncio.run(_drive(run, engine, writer, counts, len(todo)))
        finally:
            writer.close()
    if run.cancelled:
        return EXIT_INTERRUPTED
    found, not_found, failed = (counts[BulkState.FOUND], counts[BulkState.NOT_FOUND],
                                counts[BulkState.ERROR])  # fmt: skip
    if not_found or failed:
        print(f"calllookup-cli: bulk {vendor.key}: {found} found, {not_found} not found, "
              f"{failed} failed, of {found + not_found + failed} IDs", file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    return EXIT_OK


async def _drive(run: BulkRun, engine: LookupEngine, writer: _RowWriter,
                 counts: dict[BulkState, int], total: int) -> None:  # fmt: skip
    """Ctrl+C cancels the run: the rows done are kept, the lookups under way are dropped."""
    loop = asyncio.get_running_loop()
    previous = signal.signal(
        signal.SIGINT, lambda _signal, _frame: loop.call_soon_threadsafe(run.cancel)
    )
    bar = _progress_bar(total)
    try:
        async for outcome in run.outcomes():
            if not outcome.state.is_final:
                continue
            counts[outcome.state] += 1
            writer.write(outcome.as_row())
            if bar is not None:
                bar.update(1)
    finally:
        signal.signal(signal.SIGINT, previous)
        if bar is not None:
            bar.close()
        await engine.aclose()


def _progress_bar(total: int) -> Any:
    """A bar on stderr when it is a terminal (done / total, rate, time left); else None."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="ID", file=sys.stderr, dynamic_ncols=True, leave=False)
