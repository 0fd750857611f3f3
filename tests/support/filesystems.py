"""Directories a program cannot write to, made for real: a read-only or a full file system.

As root (containers, CI) a small tmpfs is mounted, read-only or filled up; mode bits stop no root
process. Elsewhere a read-only directory is made with chmod, and a full one is not possible
(the test that needs it is skipped, saying so)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount_tmpfs(path: Path, options: str) -> bool:
    if os.geteuid() != 0:
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@contextlib.contextmanager
def read_only_dir(path: Path) -> Iterator[Path]:
    """``path`` as an empty directory nobody (root included, where mounting works) can write."""
    if _mount_tmpfs(path, "ro,size=64k"):
        try:
            yield path
        finally:
            _unmount(path)
        return
    if os.geteuid() == 0:
        pytest.skip("cannot mount a read-only tmpfs, and root ignores mode bits")
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o555)
    try:
        yield path
    finally:
        path.chmod(0o755)


@contextlib.contextmanager
def full_dir(path: Path) -> Iterator[Path]:
    """``path`` on a tiny tmpfs whose every byte is taken; skips where mounting is not possible."""
    if not _mount_tmpfs(path, "size=64k"):
        pytest.skip("a full file system needs a tmpfs mount (root)")
    try:
        # The file system is full, but the directory stays writable for names (a later write
        # of any content fails with ENOSPC, as on a real full disk).
        with (path / "filler").open("wb", buffering=0) as filler:
            with contextlib.suppress(OSError):
                while True:
                    filler.write(b"\0" * 4096)
        yield path
    finally:
        _unmount(path)
