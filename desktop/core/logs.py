"""Logging: a rotating file in the data dir, every record redacted before it is written."""

from __future__ import annotations

import logging
import logging.handlers
from collections import deque
from pathlib import Path

from desktop.core.paths import data_dir
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


_file_handler: logging.Handler | None = None


def configure_logging(level: int = logging.INFO, *, to_file: bool = True) -> Path | None:
    """Set up the app's logging; returns the log file path when one is written.

    Calling it again (a test with another data dir) moves the file handler to the new place."""
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
    if not to_file:
        return None
    log_path = data_dir() / LOG_FILE_NAME
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
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
