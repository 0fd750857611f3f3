"""Logging: a rotating file in the data dir, every record redacted before it is written."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections import deque
from contextlib import suppress
from pathlib import Path

from desktop.core.paths import data_dir, file_error_reason
from desktop.core.redact import redact_text

LOG_FILE_NAME = "calllookup.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Renders each record once, masks secrets in the result, and freezes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact_text(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


class _FileProblem:
    """Why the log file is not being written (the first failure only), and whether to say so on
    stderr when it happens. The CLI says it itself, in its one warning line about the data dir."""

    message: str | None = None
    announce = True

    @classmethod
    def record(cls, path: Path, error: BaseException | None) -> None:
        if cls.message is not None:
            return
        reason = file_error_reason(error) if isinstance(error, OSError) else str(error)
        cls.message = f"The log file {path} cannot be written: {reason}; logging to it stopped."
        if cls.announce:
            with suppress(OSError, ValueError):  # stderr itself may be gone
                sys.stderr.write(f"calllookup: warning: {cls.message}\n")


def log_file_problem() -> str | None:
    """Why the log file is not written (it could not be opened, or a write failed), or None."""
    return _FileProblem.message


class _GuardedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file whose own failures (disk full, file gone read-only) are one recorded
    problem, never a traceback on stderr per record; after the first, it stops writing."""

    _broken = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self._broken:
            super().emit(record)

    def _failed(self, error: BaseException | None) -> None:
        self._broken = True
        _FileProblem.record(Path(self.baseFilename), error)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        self._failed(sys.exc_info()[1])

    # Lines still buffered fail again when flushed or closed (at exit, or when moved).
    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:
            self._failed(error)

    def close(self) -> None:
        try:
            super().close()
        except OSError as error:
            self._failed(error)


_file_handler: logging.Handler | None = None


def configure_logging(
    level: int = logging.INFO, *, to_file: bool = True, announce: bool = True
) -> Path | None:
    """Set up the app's logging; returns the log file path when one is written.

    A log file that cannot be written is ``log_file_problem()``, said once on stderr when
    ``announce``; the app works on without it. Calling it again (a test with another data dir)
    moves the file handler to the new place."""
    global _file_handler  # noqa: PLW0603 - one log file per process
    root = logging.getLogger()
    root.setLevel(level)
    # httpx logs full URLs at INFO and httpcore logs headers at DEBUG: both may carry secrets.
    for noisy in ("httpx", "httpcore", "qasync", "keyring", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if _file_handler is not None:
        root.removeHandler(_file_handler)
        _file_handler.close()
        _file_handler = None
    _FileProblem.message, _FileProblem.announce = None, announce
    if not to_file:
        return None
    log_path = data_dir() / LOG_FILE_NAME
    handler: logging.Handler
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handler = _GuardedRotatingFileHandler(
            log_path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as error:
        _FileProblem.record(log_path, error)
        # Without any handler, logging's last resort would print each warning on stderr.
        handler = logging.NullHandler()
        root.addHandler(handler)
        _file_handler = handler
        return None
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    _file_handler = handler
    return log_path


class RecentLogLines(logging.Handler):
    """The latest log lines, redacted, for the log panel (a bounded ring, never a file)."""

    def __init__(self, capacity: int = 2000) -> None:
        super().__init__(level=logging.INFO)
        self.lines: deque[str] = deque(maxlen=capacity)
        #: Bumped on every new line, so a viewer can tell cheaply whether to refresh.
        self.serial = 0
        self.addFilter(RedactingFilter())
        self.setFormatter(logging.Formatter(_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.serial += 1


_recent: RecentLogLines | None = None


def recent_log_lines() -> RecentLogLines:
    """The process's in-memory log ring, attached to the root logger on first use."""
    global _recent  # noqa: PLW0603 - one ring per process, shared by every window
    if _recent is None:
        _recent = RecentLogLines()
        logging.getLogger().addHandler(_recent)
    return _recent
