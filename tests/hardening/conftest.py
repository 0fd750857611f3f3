"""Hardening fixtures: the hostile loopback server, profiles made through the real CLI, and CLI
runs measured from outside (exit status, seconds, peak memory of that one process)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from desktop.core.credentials import MemorySecretStore
from desktop.core.profiles import Profile, ProfileStore
from desktop.engine import LookupEngine
from tests.cli.conftest import REPO_ROOT, cli_env  # noqa: F401  (the CLI tests' environment)
from tests.support.hostile_server import HostileServer, Reply


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    #: The CLI process's own peak resident memory (ru_maxrss of that one child, in MiB).
    peak_rss_mib: float


def run_cli(env: dict[str, str], *args: str, stdin: str = "", limit: float = 120) -> CliRun:
    """``calllookup-cli ARGS`` in a subprocess, reaped with wait4 so the rusage is its own."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop.cli", *args],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            env=env,
        )
        assert process.stdin is not None
        process.stdin.write(stdin.encode())
        process.stdin.close()
        watchdog = threading.Timer(limit, process.kill)
        watchdog.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return CliRun(
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            peak_rss_mib=usage.ru_maxrss / 1024,
        )


@pytest.fixture
def make_profile(cli_env: dict[str, str]) -> Callable[..., None]:  # noqa: F811 (the fixture)
    """Create, through the CLI itself, profile 'default' of a vendor at ``base_url``."""

    def make(
        vendor: str,
        base_url: str,
        secrets: dict[str, str],
        settings: dict[str, str] | None = None,
        timeout: float = 5,
    ) -> None:
        options = [f"--set={name}={value}" for name, value in (settings or {}).items()]
        done = run_cli(
            cli_env,
            "profile", "set", vendor, "default", "--base-url", base_url,
            f"--set=timeout={timeout:g}", *options, "--secrets-stdin",
            stdin="".join(f"{name}={value}\n" for name, value in secrets.items()),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    return make


def verba_envelope(action: str, inner: str = "", code: str = "0", attributes: str = "") -> Reply:
    """A Verba HTTP Business API answer: <VerbaApi><Response code="0" .../>payload</VerbaApi>,
    or for another code the <ErrorMessage> ``inner`` (already XML-escaped)."""
    if code == "0":
        response = f'<Response code="0" type="{action}"{attributes}/>'
    else:
        response = f'<Response code="{code}"><ErrorMessage>{inner}</ErrorMessage></Response>'
        inner = ""
    body = f'<?xml version="1.0" encoding="UTF-8"?><VerbaApi>{response}{inner}</VerbaApi>'
    return Reply(200, body.encode(), {"Content-Type": "application/xml"})


def engine_for(
    vendor: str,
    base_url: str,
    secrets: dict[str, str],
    settings: dict[str, str] | None = None,
    timeout: float = 5,
) -> LookupEngine:
    """An in-process engine with one profile 'default' of ``vendor`` (secrets in memory)."""
    profiles = ProfileStore(None)
    profiles.save(Profile(vendor=vendor, name="default", base_url=base_url,
                          settings=settings or {}, timeout=timeout))  # fmt: skip
    store = MemorySecretStore()
    for name, value in secrets.items():
        store.set(vendor, "default", name, value)
    return LookupEngine(profiles, store)


def period_attempt(number: int, started: str) -> dict[str, object]:
    """Attempt ``number`` of a OneUptime period list, as the server serializes it (typed IDs
    and dates), answered after 20 s at 2 cents, started at ``started`` (ISO text)."""
    return {
        "_id": f"c0ffee00-0000-4b1d-9a0c-{number:012d}",
        "incomingCallLogId": {"_type": "ObjectID", "value": f"call-{number}"},
        "status": "Connected",
        "isAnswered": True,
        "dialDurationInSeconds": 20,
        "callCostInUSDCents": 2,
        "startedAt": {"_type": "DateTime", "value": started},
        "updatedAt": {"_type": "DateTime", "value": started},
    }
