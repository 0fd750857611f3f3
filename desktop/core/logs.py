"""Logging: a rotating file in the data dir, every record redacted before it is written."""

from __future__ import annotations

import logging
import logging.handlers
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


def configure_logging(level: int = logging.INFO, *, to_file: bool = True) -> Path | None:
    """Set up the app's logging once; returns the log file path when one is written."""
    root = logging.getLogger()
    if getattr(root, "_calllookup_configured", False):
        return getattr(root, "_calllookup_log_path", None)
    root.setLevel(level)
    # httpx logs full URLs at INFO and httpcore logs headers at DEBUG: both may carry secrets.
    for noisy in ("httpx", "httpcore", "qasync", "keyring", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    redactor = RedactingFilter()
    log_path: Path | None = None
    if to_file:
        log_path = data_dir() / LOG_FILE_NAME
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            file_handler = logging.handlers.RotatingFileHandler(
                log_path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
            )
        except OSError:
            log_path = None
        else:
            file_handler.addFilter(redactor)
            file_handler.setFormatter(logging.Formatter(_FORMAT))
            root.addHandler(file_handler)
    root._calllookup_configured = True  # type: ignore[attr-defined]
    root._calllookup_log_path = log_path  # type: ignore[attr-defined]
    return log_path
