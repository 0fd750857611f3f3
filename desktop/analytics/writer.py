"""Where a period load's pages are written: into the attempt cache through a ``PeriodWriter``,
in this process for a small load, or in a child process of its own for a big one
(``WriterProcess``).

Why a process: at 100 pages a second the event loop's thread needs about 70 % of Python's
lock (HTTP, JSON, reading the items). A writer thread in the same process needs the lock for
its own Python and again after every SQLite statement, each time waiting up to a switch
interval while the loop holds it: in a busy week's load its stores took 7 s of wall time for
2.4 s of CPU, the pages queued behind them and the fetching stalled. A child process has a
lock of its own and the machine's other core (the same load: 12.6-13.4 s before, 11.4-11.7 s
with the writer in a child, on the benchmark machine).

The child runs ``python -P -m desktop.analytics.writer`` and speaks pickle over its standard input
and output: it is our own program on our own pipes, and what it receives are plain tuples read
from the vendor's JSON by this process, never the vendor's bytes. It imports only the cache's
modules (~50 ms), not the vendor and HTTP stack.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from desktop.analytics.cache import AttemptCache, CachedAttempt

#: A period item as the writer reads it: ``CachedAttempt``'s fields in its order, then the
#: user's name (``desktop.vendors.oneuptime.PeriodItem``, or the plain tuple it pickles to).
ItemFields = tuple[Any, ...]
_NAME = len(CachedAttempt._fields)
_STARTED = CachedAttempt._fields.index("started")
_USER = CachedAttempt._fields.index("user_id")

#: How long a child may take to finish its last write and exit once its input is closed.
_EXIT_WAIT = 30.0


class PeriodWrites(Protocol):
    """What a period load asks of its writer; every call blocks (``run_blocking`` it)."""

    def store(self, items: Sequence[ItemFields], sweep: int, ids_only: bool) -> int: ...

    def refresh(self, busy: tuple[str, str] | None) -> int: ...

    def close(self) -> None: ...

    def kill(self) -> None: ...


class PeriodWriter:
    """A period load's writes to ``cache``: each page's attempts that started within the
    period (the others are counted and left out), each user's name once per load, the
    rollups between pages."""

    def __init__(self, cache: AttemptCache, source: str, within: tuple[float, float]) -> None:
        self.cache = cache
        self.source = source
        #: The period's first and last instant (Unix seconds), widened by the query's rounding.
        self.within = within
        #: The user names written in this load: a busy week's thousand pages name the same few
        #: dozen users again and again, and each write is a transaction of its own.
        self._names_written: dict[str, str] = {}

    def store(self, items: Sequence[ItemFields], sweep: int, ids_only: bool) -> int:
        """Write the items (marked with ``sweep``); how many of them started outside the period
        and were left out."""
        if ids_only:
            self.cache.mark_seen(self.source, (item[0] for item in items), sweep)
            return 0
        low, high = self.within
        inside = [item for item in items if item[_STARTED] is None or low <= item[_STARTED] <= high]
        attempts = (CachedAttempt._make(item[:_NAME]) for item in inside)
        self.cache.upsert(self.source, attempts, sweep)
        written = self._names_written
        names = {
            item[_USER]: item[_NAME]
            for item in inside
            if item[_USER] and item[_NAME] and written.get(item[_USER]) != item[_NAME]
        }
        if names:
            self.cache.set_user_names(self.source, names)
            written.update(names)
        return len(items) - len(inside)

    def refresh(self, busy: tuple[str, str] | None) -> int:
        return self.cache.refresh_rollup(busy)

    def close(self) -> None:
        """Nothing to release: the cache is the caller's."""

    def kill(self) -> None:
        """Nothing to stop: a write under way in this process ends as it would."""


class WriterProcessError(RuntimeError):
    """The writer process ended without answering (killed, out of memory)."""


class WriterProcess:
    """A ``PeriodWriter`` on the cache file at ``path`` in a child interpreter; each call is
    sent to it and waits for its answer, and an error it raises is raised here as itself."""

    def __init__(self, path: Path, source: str, within: tuple[float, float]) -> None:
        # The child imports the same ``desktop`` package this process runs, wherever it is;
        # ``-P``: not one that happens to be in the working directory.
        package_root = str(Path(__file__).resolve().parents[2])
        paths = [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]
        self._child = subprocess.Popen(  # noqa: S603 - this Python running our own module
            [sys.executable, "-P", "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Its own errors come back as answers; a crash is reported by its exit code.
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        )
        try:
            self._call("open", str(path), source, within)
        except BaseException:
            self.kill()
            raise

    def store(self, items: Sequence[ItemFields], sweep: int, ids_only: bool) -> int:
        # Plain tuples: a PeriodItem would pickle as its class, which the child would import
        # with the whole vendor module.
        return int(self._call("store", [tuple(item) for item in items], sweep, ids_only))

    def refresh(self, busy: tuple[str, str] | None) -> int:
        return int(self._call("refresh", busy))

    def close(self) -> None:
        """Let the child finish its last write and exit, as it does once its input ends; kill
        it if it has not within ``_EXIT_WAIT`` seconds."""
        child = self._child
        if child.stdin is not None and not child.stdin.closed:
            with contextlib.suppress(OSError):  # the child is gone: its pipe is broken
                child.stdin.close()
        try:
            child.wait(timeout=_EXIT_WAIT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()

    def kill(self) -> None:
        """Stop the child now (a cancelled load): its open transaction is rolled back."""
        self._child.kill()
        self.close()

    def _call(self, name: str, *args: Any) -> Any:
        self._send(name, *args)
        return self._answer()

    def _send(self, name: str, *args: Any) -> None:
        assert self._child.stdin is not None
        try:
            pickle.dump((name, args), self._child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._child.stdin.flush()
        except OSError as error:
            raise self._stopped() from error

    def _answer(self) -> Any:
        assert self._child.stdout is not None
        try:
            ok, value = pickle.load(self._child.stdout)  # noqa: S301 - our own child's answer
        except (OSError, EOFError, pickle.UnpicklingError) as error:
            raise self._stopped() from error
        if not ok:
            raise value
        return value

    def _stopped(self) -> WriterProcessError:
        code = self._child.poll()
        return WriterProcessError(
            "The process writing the attempt cache stopped"
            + (f" (exit code {code})" if code is not None else "")
            + "; the load was not completed."
        )


def _answerable(error: BaseException) -> BaseException:
    """The error as itself when it survives pickling, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    except Exception:  # any failure to pickle or unpickle: send it as text
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child's side: open the cache, then answer each call until the input ends."""
    writer: PeriodWriter | None = None
    try:
        while True:
            try:
                name, args = pickle.load(requests)  # noqa: S301 - from our parent process
            except EOFError:
                return
            try:
                if name == "open":
                    path, source, within = args
                    writer = PeriodWriter(AttemptCache(Path(path)), source, within)
                    value: Any = None
                elif writer is None:
                    raise RuntimeError(f"{name} before open")
                elif name == "store":
                    value = writer.store(*args)
                elif name == "refresh":
                    value = writer.refresh(*args)
                else:
                    raise RuntimeError(f"no such call: {name}")
                answer: tuple[bool, Any] = (True, value)
            except Exception as error:  # every error goes back to the parent
                answer = (False, _answerable(error))
            pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
            answers.flush()
    finally:
        if writer is not None:
            writer.cache.close()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
