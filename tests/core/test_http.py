"""The HTTP policy against the simulator's fault modes, over real sockets."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.errors import BadResponseError, UnavailableError, VendorTimeoutError
from desktop.core.http import (
    HttpClientPool,
    HttpResponse,
    HttpSession,
    HttpSettings,
    RetryPolicy,
    TlsSettings,
    backoff_seconds,
)
from desktop.simulator import leadsquared as sim
from desktop.simulator.registry import all_vendor_simulators
from desktop.simulator.server import Simulator
from tests.support.hostile_server import HostileServer, Reply, SeenRequest
from tests.support.tls import self_signed_certificate, server_context

STATUS_PATH = "/1/api/telephony/logcallcomplete/status"


def fetch(
    url: str,
    *,
    method: str = "GET",
    timeout: float = 5.0,
    tls: TlsSettings | None = None,
    max_body_bytes: int | None = None,
) -> HttpResponse:
    async def go() -> HttpResponse:
        pool = HttpClientPool()
        settings = HttpSettings(timeout=timeout, tls=tls or TlsSettings())
        if max_body_bytes is not None:
            settings = HttpSettings(
                timeout=timeout, tls=settings.tls, max_body_bytes=max_body_bytes
            )
        session = HttpSession(pool, settings, vendor_title="Test vendor")
        try:
            return await session.request(
                method,
                url,
                params={"RequestID": sim.SUCCESS_ID},
                headers={"x-api-key": sim.DEMO_API_KEY},
            )
        finally:
            await pool.aclose()

    return asyncio.run(go())


@pytest.fixture
def status_url(simulator: Simulator) -> str:
    return simulator.base_url("leadsquared") + STATUS_PATH


def test_a_read_is_retried_on_503_and_succeeds(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "status:503", count=2)
    response = fetch(status_url)
    assert response.status == 200
    assert simulator.request_counts["leadsquared"] == 3


def test_retry_after_is_honoured(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "status:429:1")
    response = fetch(status_url)
    assert response.status == 200
    assert simulator.request_counts["leadsquared"] == 2
    assert backoff_seconds(0, "7") == 7.0
    assert backoff_seconds(0, "Thu, 01 Jan 1970 00:00:00 GMT") == 0.0


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    for attempt in range(8):
        wait = backoff_seconds(attempt, None)
        ceiling = min(8.0, 0.25 * 2**attempt)
        assert ceiling / 2 <= wait <= ceiling


def test_the_retry_policy_retries_idempotent_requests_on_transient_failures_only() -> None:
    policy = RetryPolicy(retries=2)
    for status in (None, 429, 502, 503, 504):
        assert policy.should_retry(idempotent=True, status=status, attempt=0)
        assert policy.should_retry(idempotent=True, status=status, attempt=1)
        assert not policy.should_retry(idempotent=True, status=status, attempt=2)
        assert not policy.should_retry(idempotent=False, status=status, attempt=0)
    for status in (200, 400, 401, 404, 407, 500):
        assert not policy.should_retry(idempotent=True, status=status, attempt=0)
    assert not RetryPolicy(retries=0).should_retry(idempotent=True, status=None, attempt=0)


def test_the_retry_policy_waits_as_the_server_asks_and_never_past_the_deadline() -> None:
    policy = RetryPolicy(retries=2)
    assert policy.delay(0, "3") == 3.0

    def wait(status: int, remaining: float) -> float | None:
        return policy.wait_before_retry(
            idempotent=True, status=status, attempt=0, retry_after="3", remaining=remaining
        )

    assert wait(503, remaining=3.5) == 3.0
    assert wait(503, remaining=3.0) is None
    assert wait(500, remaining=60.0) is None
    backoff = policy.wait_before_retry(
        idempotent=True, status=None, attempt=1, retry_after=None, remaining=60.0
    )
    assert backoff is not None and 0.25 <= backoff <= 0.5


def test_a_retry_cut_off_by_the_deadline_reports_the_answer_it_followed() -> None:
    """The first answer is a 503 asking for a retry at once; the retry gets no answer before
    the 1 s deadline, and the event loop is busy as the deadline passes (a window repainting, a
    loaded machine). What was received, the 503, is reported, not "no answer": the retry's cut
    and the deadline's must not both cancel the request and leave only a timeout."""

    def answer(request: SeenRequest) -> Reply:
        first = len(server.seen) == 1
        return Reply(503, b"busy", {"Retry-After": "0"}) if first else Reply(200, delay=3.0)

    async def busy_as_the_deadline_passes() -> None:
        await asyncio.sleep(0.9)
        time.sleep(0.3)  # blocks the loop over the deadline, as a long paint would

    async def go() -> HttpResponse:
        pool = HttpClientPool()
        session = HttpSession(pool, HttpSettings(timeout=1.0), vendor_title="Test vendor")
        busy = asyncio.create_task(busy_as_the_deadline_passes())
        try:
            return await session.request("GET", server.url + "/status")
        finally:
            await busy
            await pool.aclose()

    with HostileServer(answer) as server:
        started = time.monotonic()
        response = asyncio.run(go())
        elapsed = time.monotonic() - started
    assert response.status == 503
    assert len(server.seen) == 2
    assert elapsed < 2.0


_PREPARE_SCRIPT = """
import asyncio, sys, threading
from desktop.core.http import HttpClientPool
backend = "anyio._backends._asyncio"
before = backend in sys.modules
loop_thread = threading.get_ident()
imported_off_the_loop = []
class Watch:
    def find_spec(self, name, path, target=None):
        if name == backend:
            imported_off_the_loop.append(threading.get_ident() != loop_thread)
sys.meta_path.insert(0, Watch())
async def go():
    pool = HttpClientPool()
    await pool.prepare()
    ready = len(pool._clients)
    await pool.aclose()
    return ready
ready = asyncio.run(go())
print(before, backend in sys.modules, ready, imported_off_the_loop)
"""


def test_the_pool_is_prepared_before_the_first_request_off_the_loop() -> None:
    """After ``prepare`` (the window starts it once shown) the default client exists and httpx's
    async backend is loaded, both done in a worker thread: the first lookup paid ~120 ms of
    imports and the CA store on the window's loop. In a fresh process, where nothing loaded it."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", _PREPARE_SCRIPT], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(root)), timeout=60,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "False True 1 [True]", done.stdout + done.stderr


def test_a_write_is_never_retried(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "status:503", count=2)
    response = fetch(status_url, method="POST")
    assert response.status == 503
    assert simulator.request_counts["leadsquared"] == 1


def test_a_500_is_not_retried(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "status:500", count=2)
    assert fetch(status_url).status == 500
    assert simulator.request_counts["leadsquared"] == 1


def test_slow_headers_end_in_a_timeout_within_the_limit(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "delay:3")
    with pytest.raises(VendorTimeoutError) as caught:
        fetch(status_url, timeout=0.5)
    assert "no answer within 0.5 s (the profile's timeout)" in caught.value.message


def test_a_slow_body_within_the_limit_arrives_whole(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "slowbody:0.5")
    assert fetch(status_url).json()["RequestId"] == sim.SUCCESS_ID


def test_a_slow_body_past_the_limit_times_out(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "slowbody:3")
    with pytest.raises(VendorTimeoutError):
        fetch(status_url, timeout=1)


def test_a_reset_mid_body_is_unavailable(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "cutbody")
    with pytest.raises(UnavailableError):
        fetch(status_url)


def test_a_dropped_connection_is_unavailable(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "reset")
    with pytest.raises(UnavailableError):
        fetch(status_url)


def test_truncated_json_is_a_bad_response(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "truncated")
    response = fetch(status_url)
    with pytest.raises(BadResponseError, match="not valid JSON"):
        response.json()


def test_html_with_status_200_is_a_bad_response(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "html")
    with pytest.raises(BadResponseError, match="web page"):
        fetch(status_url).json()


def test_a_huge_body_is_refused_without_loading_it(simulator, status_url) -> None:
    simulator.add_fault("leadsquared", "huge")
    with pytest.raises(BadResponseError, match="MiB"):
        fetch(status_url, max_body_bytes=1024 * 1024)


def test_connection_refused_is_unavailable_and_named() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UnavailableError, match="Cannot connect to Test vendor"):
        fetch(f"http://127.0.0.1:{port}{STATUS_PATH}", timeout=3)


@pytest.fixture(scope="module")
def tls_simulator(tmp_path_factory) -> Iterator[tuple[Simulator, Path]]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_certificate(folder)
    simulator = Simulator(all_vendor_simulators(), tls=server_context(cert, key)).start()
    yield simulator, cert
    simulator.stop()


def test_self_signed_certificate_is_refused_by_default(tls_simulator) -> None:
    simulator, _cert = tls_simulator
    with pytest.raises(UnavailableError, match="not trusted"):
        fetch(simulator.base_url("leadsquared") + STATUS_PATH)


def test_profile_ca_bundle_trusts_the_self_signed_server(tls_simulator) -> None:
    simulator, cert = tls_simulator
    url = simulator.base_url("leadsquared") + STATUS_PATH
    assert url.startswith("https://")
    assert fetch(url, tls=TlsSettings(ca_bundle=str(cert))).status == 200
    assert fetch(url, tls=TlsSettings(verify=False)).status == 200


def test_unknown_fault_words_are_refused(simulator) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        simulator.add_fault("leadsquared", "explode")
