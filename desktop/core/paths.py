"""Where the application keeps its files. Environment variables win, for tests and portable use."""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import platformdirs

CONFIG_DIR_ENV = "CALLLOOKUP_CONFIG_DIR"
DATA_DIR_ENV = "CALLLOOKUP_DATA_DIR"
_APP_DIR_NAME = "calllookup"


def config_dir() -> Path:
    """Profiles and settings (never secrets). ``CALLLOOKUP_CONFIG_DIR`` overrides."""
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir(_APP_DIR_NAME))


def data_dir() -> Path:
    """History, logs and other data. ``CALLLOOKUP_DATA_DIR`` overrides."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir(_APP_DIR_NAME))


#: How long a writer waits for another process (a second window, a CLI run) to finish its write.
LOCK_WAIT_SECONDS = 10.0
_LOCK_POLL_SECONDS = 0.02


def _try_lock(handle: IO[bytes]) -> bool:
    """Take the exclusive lock on ``handle`` without waiting; False while another holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError) as error:
        # POSIX reports a held lock as EWOULDBLOCK/EAGAIN, Windows as EACCES/EDEADLOCK.
        if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLOCK):
            return False
        raise
    return True


@contextmanager
def locked(path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock for changing ``path`` across processes.

    The lock is on a separate ``.NAME.lock`` file beside it, because the file itself is replaced
    (a new inode) by every atomic write. The OS drops the lock when its holder exits, even after a
    crash, so no stale lock can remain. Raises OSError (errno ETIMEDOUT) after ``wait`` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f".{path.name}.lock").open("a+b") as handle:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise OSError(errno.ETIMEDOUT, "another CallLookup process keeps it locked")
            time.sleep(_LOCK_POLL_SECONDS)
        # Closing the handle releases the lock (flock and msvcrt locks belong to the handle).
        yield


def write_text_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a crash mid-write never leaves half a file behind.

    The temporary file has a unique name in the same directory (so two writers never share it and
    ``os.replace`` stays on one file system); it is flushed to disk before it takes the name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def file_error_reason(error: OSError) -> str:
    """Why a file could not be written or read, in the user's words."""
    if isinstance(error, PermissionError) or error.errno in (
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
    ):
        return "permission denied"
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a file is in the way where a folder should be"
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    return error.strerror or str(error)
