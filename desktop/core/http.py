"""The one place that talks HTTP: timeouts, TLS, size caps, rate limits, error mapping, redaction.

Vendor modules describe requests and read ``HttpResponse`` objects; they never configure httpx.
Every ``import httpx`` of the project is in this module, so a switch of HTTP library is one file.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import email.utils
import json
import logging
import math
import random
import re
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from desktop.core.blocking import run_blocking, thread_event_loop
from desktop.core.content_decoding import (
    ACCEPTED_ENCODINGS,
    BodyDecoder,
    DecodedSizeExceededError,
    UndecodableBodyError,
)
from desktop.core.errors import (
    BadResponseError,
    ConfigurationError,
    UnavailableError,
    VendorTimeoutError,
)
from desktop.core.redact import (
    excerpt,
    redact_url,
    register_credential_header,
    register_secret,
)
from desktop.core.sensitive_names import is_sensitive_name

log = logging.getLogger(__name__)

#: Bodies above this (decoded) are refused: a vendor's answer to one lookup is never megabytes.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
#: Decoded bytes between two returns to the event loop while a body is read: decoding one
#: network chunk never holds the window for more than a few milliseconds.
_DECODED_BYTES_PER_YIELD = 1024 * 1024
_USER_AGENT = "CallLookup"
#: Set in a bulk run's workers to say whether their run is paused now. A lookup's first
#: request asks it when its rate-limit turn comes and just before it goes out, so a pause also
#: holds back the requests already waiting for a turn; a lookup that has sent one finishes.
HOLD_UNSENT: ContextVar[Callable[[], bool] | None] = ContextVar("hold_unsent", default=None)


class RequestHeld(Exception):  # noqa: N818 (not an error: the caller asked for it)
    """A lookup stopped before it sent anything, because ``HOLD_UNSENT`` said so: asked
    again from the start it is as if it had never begun."""


@dataclass(frozen=True)
class TlsSettings:
    """How to check the server's certificate; one pooled client exists per distinct value."""

    verify: bool = True
    ca_bundle: str | None = None


@dataclass(frozen=True)
class HttpSettings:
    #: The profile's timeout: seconds for one whole operation (a lookup with its token and
    #: follow-up requests, retries and backoff waits included), see ``HttpSession``.
    timeout: float = 20.0
    tls: TlsSettings = TlsSettings()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Extra attempts for idempotent reads that failed in a way that may pass.
    retries: int = 2


#: Statuses that say "try again later" rather than "this request is wrong".
RETRY_STATUSES = frozenset({429, 502, 503, 504})
CONNECT_TIMEOUT_SECONDS = 10.0
PROXY_AUTHENTICATION_REQUIRED = 407
_BACKOFF_BASE_SECONDS = 0.25
_BACKOFF_CAP_SECONDS = 8.0


def backoff_seconds(attempt: int, retry_after: str | None) -> float:
    """Seconds to wait before retry number ``attempt + 1``: the server's Retry-After when it
    gives one (seconds or an HTTP date), else exponential backoff with full jitter."""
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return float(value)
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            return max(0.0, moment.timestamp() - time.time())
    ceiling = min(_BACKOFF_CAP_SECONDS, _BACKOFF_BASE_SECONDS * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class RetryPolicy:
    """Which failures are retried, and after how long: decided here, outside the send loop.

    Only idempotent requests are retried (a repeated POST could act twice), only after a failed
    connection or a "try again later" status, and only when the wait ends before the deadline: a
    wait that would pass it cannot lead to an answer in time."""

    #: Extra sends after the first.
    retries: int
    statuses: frozenset[int] = RETRY_STATUSES

    def should_retry(self, *, idempotent: bool, status: int | None, attempt: int) -> bool:
        """Whether send number ``attempt`` (0 for the first) that ended with ``status`` (None:
        the connection failed) is worth sending again."""
        if not idempotent or attempt >= self.retries:
            return False
        return status is None or status in self.statuses

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before sending again after send number ``attempt``."""
        return backoff_seconds(attempt, retry_after)

    def wait_before_retry(
        self,
        *,
        idempotent: bool,
        status: int | None,
        attempt: int,
        retry_after: str | None,
        remaining: float,
    ) -> float | None:
        """The wait before sending again, or None to stop here (no retry, or no time for one
        with ``remaining`` seconds to the deadline)."""
        if not self.should_retry(idempotent=idempotent, status=status, attempt=attempt):
            return None
        wait = self.delay(attempt, retry_after)
        return wait if wait < remaining else None


class RateLimiter:
    """At most ``limit`` requests in any ``period`` seconds; callers wait for a free slot.

    Starts are paced on an even grid, a padded period's share apart; callers woken late (a
    busy loop, a loaded machine) let the next ones go that much sooner, up to two steps (a
    window's paint, a few switches of the GIL), so lateness does not add up over thousands of
    requests: on a loaded machine half a step was made up and ~0.8 s of every 10 s was lost.
    (Not more: each request of a burst needs a connection of its own, and every connection
    kept costs each later request a check in the HTTP client's pool.) The hard
    bound is a sliding window of the published period: a slot counts from when its answer
    began to come back (or its request failed), never from its start. The vendor counts
    arrivals, and a request has arrived by the time its answer comes, so the (limit+1)-th start
    after a request comes at least a period after that request's arrival: no window the vendor
    looks at can hold more.

    A 429 that still comes (another program sharing the key, a vendor counting differently)
    slows the limiter: nothing is sent until the vendor's Retry-After has passed, and the limit
    drops by a quarter (once per period, however many 429s one burst brings), coming back one
    request per period without another 429.

    One limiter may serve several event loops (the window's and a bulk run's thread): its
    state is guarded by a thread lock, and the callers of each loop wait their turn in order."""

    #: Extra share of the period on the pacing, for clock and scheduling jitter between us and
    #: the vendor; at most ``MAX_SAFETY_MARGIN`` seconds.
    SAFETY_SHARE = 0.02
    MAX_SAFETY_MARGIN = 0.1
    #: How many steps of lateness the next starts may make up. The starts never run ahead of
    #: the grid, and the sliding window below holds whatever the pacing does.
    CATCH_UP_STEPS = 2.0

    def __init__(self, limit: int, period: float) -> None:
        #: The vendor's published limit; ``limit`` is what is allowed now (lower after a 429).
        self.published_limit = limit
        self.limit = limit
        #: The vendor's window, which the slots are counted in.
        self.published_period = period
        #: The padded period the starts are paced on.
        self.period = period + min(self.MAX_SAFETY_MARGIN, period * self.SAFETY_SHARE)
        #: How many 429s slowed this limiter down (benchmarks and tests read it).
        self.slowdowns = 0
        #: One entry per slot: None while its request is under way, then the time it counts from.
        self._slots: list[list[float | None]] = []
        self._state = threading.Lock()
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._paused_until = 0.0
        self._changed_at = 0.0
        self._next_start = -math.inf
        self._slowed_at = -math.inf

    def slow_down(self, retry_after: str | None) -> None:
        """The vendor answered 429: wait its Retry-After (when it sends one) before the next
        request, and allow a quarter fewer requests per period for now."""
        now = time.monotonic()
        with self._state:
            if retry_after:  # without one, the lower limit and the caller's own backoff suffice
                self._paused_until = max(self._paused_until, now + backoff_seconds(0, retry_after))
            if now - self._slowed_at >= self.period:  # the 429s of one burst lower it once
                self.limit = max(1, self.limit * 3 // 4)
                self._slowed_at = now
            self._changed_at = max(now, self._paused_until)  # recovery counts from the wait's end
            self.slowdowns += 1

    def _recover(self, now: float) -> None:
        """One request more per period without a 429, up to the published limit."""
        periods = int((now - self._changed_at) // self.period)
        if self.limit < self.published_limit and periods > 0:
            self.limit = min(self.published_limit, self.limit + periods)
            self._changed_at += periods * self.period

    def _take(self, now: float) -> list[float | None] | float:
        """A slot when one may start now, else the seconds to wait before asking again."""
        with self._state:
            if now < self._paused_until:
                return self._paused_until - now
            self._recover(now)
            # Spread evenly over the period: a burst of ``limit`` requests at once would open
            # as many connections and end them all together, the next burst a period later.
            step = self.period / self.limit
            if now < self._next_start:
                return self._next_start - now
            self._slots = [slot for slot in self._slots
                           if slot[0] is None or now - slot[0] < self.published_period]  # fmt: skip
            if len(self._slots) >= self.limit:
                counted = [slot[0] for slot in self._slots if slot[0] is not None]
                return max(self.published_period - (now - min(counted)) if counted else 0.005,
                           0.001)  # fmt: skip
            slot: list[float | None] = [None]
            self._slots.append(slot)
            if now - self._next_start > self.period:  # idle a while: the grid starts anew
                self._next_start = now
            self._next_start = max(self._next_start, now - step * self.CATCH_UP_STEPS) + step
            return slot

    async def acquire(self, held: Callable[[], bool] | None = None) -> list[float | None]:
        """A slot for one request, once its turn has come; RequestHeld, without taking one,
        when ``held`` says so as the caller's turn comes (or comes back after a wait)."""
        loop = asyncio.get_running_loop()
        with self._state:
            turn = self._turns.setdefault(loop, asyncio.Lock())
        async with turn:
            while True:
                if held is not None and held():
                    raise RequestHeld
                taken = self._take(time.monotonic())
                if isinstance(taken, list):
                    return taken
                await asyncio.sleep(taken)

    @staticmethod
    def release(slot: list[float | None]) -> None:
        """The slot counts from now: its answer began to come back, or its request failed (a
        second call changes nothing)."""
        if slot[0] is None:
            slot[0] = time.monotonic()


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    #: The request URL with credential parameters masked: safe for messages and logs.
    safe_url: str
    elapsed: float

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def excerpt(self, limit: int = 120) -> str:
        """The start of the body for a message: secrets masked, control and invisible
        characters escaped, cut short; never a Python repr."""
        return excerpt(self.body[: limit * 4].decode("utf-8", errors="replace"), limit)

    def looks_like_html(self) -> bool:
        head = self.body[:512].lstrip().lower()
        return self.content_type == "text/html" or head.startswith((b"<!doctype html", b"<html"))

    def json(self) -> Any:
        """The body as JSON, or a BadResponseError that says what came instead."""
        if self.looks_like_html():
            raise BadResponseError(
                "The server answered with a web page instead of data: check the base URL "
                "(a proxy or login page may be in the way).",
                http_status=self.status,
            )
        if not self.body.strip():
            raise BadResponseError(
                "The server answered with an empty body.", http_status=self.status
            )
        try:
            return strict_json(self.body)
        except (ValueError, RecursionError) as error:
            reason = (
                error.msg if isinstance(error, json.JSONDecodeError)
                else "nested too deeply" if isinstance(error, RecursionError)
                else str(error)
            )  # fmt: skip
            raise BadResponseError(
                f"The server's answer is not valid JSON ({reason}); it begins: “{self.excerpt()}”",
                http_status=self.status,
            ) from error

    def json_or_none(self) -> Any:
        """The body as JSON when it is JSON, else None (error bodies are often not)."""
        try:
            return strict_json(self.body) if self.body.strip() else None
        except (ValueError, RecursionError):
            return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"it holds {name}, which JSON does not have")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"it holds the number {text[:40]}, too large for any quantity")
    return number


def strict_json(body: bytes) -> Any:
    """JSON as the standard defines it. Python also reads NaN and Infinity (and turns 1e999
    into infinity), which no vendor's serializer writes; kept, they would reach our own JSON
    output as NaN, which strict parsers such as jq refuse."""
    return json.loads(body, parse_constant=_no_constant, parse_float=_finite)


def _ssl_context(tls: TlsSettings) -> ssl.SSLContext | bool:
    """The OS trust store (truststore: corporate TLS inspection works without turning
    verification off), plus the profile's CA bundle for self-signed on-premises servers."""
    if not tls.verify:
        return False
    import truststore

    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if tls.ca_bundle:
        try:
            context.load_verify_locations(cafile=tls.ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise UnavailableError(f"Cannot use the CA bundle {tls.ca_bundle}: {error}") from error
    return context


def _new_client(tls: TlsSettings, proxy: str | None) -> httpx.AsyncClient:
    # Without a manual proxy, trust_env applies HTTP(S)_PROXY and NO_PROXY from the system.
    return httpx.AsyncClient(
        verify=_ssl_context(tls),
        # Only what content_decoding bounds; httpx would add br and zstd when installed.
        headers={"User-Agent": _USER_AGENT, "Accept-Encoding": ACCEPTED_ENCODINGS},
        follow_redirects=False,
        trust_env=proxy is None,
        proxy=proxy,
    )


def _load_async_backend() -> None:
    # httpx's connection pool (httpcore) waits on anyio's events, and anyio imports its asyncio
    # backend on the first one it makes: here, on a loop of this thread's own.
    with asyncio.Runner(loop_factory=thread_event_loop) as runner:
        runner.run(anyio.sleep(0))


@dataclass
class HttpClientPool:
    """The app's HTTP clients: created on first use, one per TLS setting, closed on quit."""

    _clients: dict[tuple[TlsSettings, str | None], httpx.AsyncClient] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: A manual proxy URL (credentials included) chosen in the preferences; None: the system's.
    proxy: str | None = None

    async def client(self, tls: TlsSettings) -> httpx.AsyncClient:
        key = (tls, self.proxy)
        existing = self._clients.get(key)
        if existing is not None and not existing.is_closed:
            return existing
        async with self._lock:
            existing = self._clients.get(key)
            if existing is None or existing.is_closed:
                # Loading the CA store takes tens of milliseconds: off the event loop, so the
                # window never stalls on a first lookup.
                existing = await run_blocking(_new_client, tls, self.proxy)
                self._clients[key] = existing
            return existing

    async def prepare(self) -> None:
        """Ready for the first request before anyone asks: the client for the default TLS
        settings with its CA store, and the async backend httpx's connection pool loads on its
        first request (~120 ms of imports), both in a worker thread. Without it the first lookup
        after start-up took ~500 ms where the next took 40."""
        try:
            await self.client(TlsSettings())
        except OSError as error:  # the lookup that needs it will say so, in its own words
            log.warning("could not prepare the HTTP client: %s", error)
        await run_blocking(_load_async_backend)

    async def aclose(self) -> None:
        clients = list(self._clients.values())
        self._clients.clear()
        for client in clients:
            await client.aclose()


class HttpSession:
    """Requests for one vendor profile: its timeout, TLS choice, size cap and rate limit.

    ``deadline`` (a ``time.monotonic()`` value) bounds every request of the session: the engine
    gives each lookup one, its profile's timeout from the start, so a lookup that needs a token,
    retries or follow-up requests still ends within that timeout; each request gets what is left.
    Without a deadline each request has the whole timeout to itself."""

    def __init__(
        self,
        pool: HttpClientPool,
        settings: HttpSettings,
        *,
        vendor_title: str,
        limiter: RateLimiter | None = None,
        deadline: float | None = None,
    ) -> None:
        self._pool = pool
        self.settings = settings
        self._vendor_title = vendor_title
        self._limiter = limiter
        self.deadline = deadline
        self._retry_policy = RetryPolicy(settings.retries)
        #: Whether a request of this session has gone out (from then on none is held back).
        self._sent = False

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        basic_auth: tuple[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> HttpResponse:
        """Send a request and read the whole (capped) body; HTTP error statuses are returned,
        not raised. Raises UnavailableError, VendorTimeoutError or BadResponseError, and
        ConfigurationError for a URL or header value that HTTP cannot carry (nothing is sent).

        Reads (GET, or ``idempotent=True`` for read-only POSTs) are retried with exponential
        backoff and jitter on connection failures and on 429/502/503/504, honouring
        Retry-After, as long as the deadline allows."""
        deadline = self.deadline
        if deadline is None:
            deadline = time.monotonic() + self.settings.timeout
        client = await self._pool.client(self.settings.tls)
        request = self._build_request(
            client,
            method,
            url,
            params=params,
            headers=headers,
            json_body=json_body,
            content=content,
            basic_auth=basic_auth,
            seconds=max(deadline - time.monotonic(), 0.001),
        )
        safe_url = redact_url(str(request.url))
        idempotent = (method.upper() == "GET") if idempotent is None else idempotent
        #: The answers a retry was sent after (a 502, a 503): the last is reported when the
        #: deadline cuts a retry off, rather than "no answer".
        retried: list[HttpResponse] = []
        try:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError  # the lookup's time is used up: nothing more is sent
            # Everything below, retries, waits and bodies included, ends by the deadline.
            async with asyncio.timeout(remaining):
                return await self._send_with_retries(
                    client, request, safe_url, idempotent=idempotent, deadline=deadline,
                    retried=retried,
                )  # fmt: skip
        except (TimeoutError, httpx.TimeoutException) as error:
            if retried:
                return retried[-1]
            raise VendorTimeoutError(
                f"{self._vendor_title} sent no answer within {self.settings.timeout:g} s "
                f"(the profile's timeout): {safe_url}.",
            ) from error
        except httpx.ProxyError as error:
            raise UnavailableError(
                f"The proxy refused or failed the connection: {_cause_in_words(error)}."
            ) from error
        except httpx.HTTPError as error:
            raise UnavailableError(self._describe_transport_error(error, safe_url)) from error

    def _build_request(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        json_body: Any,
        content: bytes | None,
        basic_auth: tuple[str, str] | None,
        seconds: float,
    ) -> httpx.Request:
        """The request as it will be sent, its credentials registered for masking; a
        ConfigurationError, before anything is sent, for what HTTP cannot carry. Profiles are
        checked when saved: this is the last line of defence, for what got past that."""
        try:
            request = client.build_request(
                method,
                url,
                params=params,
                headers=dict(headers or {}),
                json=json_body,
                content=content,
                timeout=httpx.Timeout(seconds, connect=min(CONNECT_TIMEOUT_SECONDS, seconds)),
            )
        except httpx.InvalidURL as error:
            raise ConfigurationError(
                f"The {self._vendor_title} address cannot be used ({excerpt(str(error))}): "
                "correct the profile's base URL."
            ) from None
        except UnicodeEncodeError:
            raise ConfigurationError(
                f"A value sent to {self._vendor_title} in a request header has characters "
                "HTTP headers cannot carry (only ASCII letters, digits and signs): check the "
                "profile's secrets and settings."
            ) from None
        if basic_auth is not None:
            credentials = base64.b64encode(":".join(basic_auth).encode("utf-8")).decode("ascii")
            request.headers["Authorization"] = f"Basic {credentials}"
        port = request.url.port
        if port is not None and not 0 < port < 65536:
            raise ConfigurationError(
                f"The {self._vendor_title} address has port {port}; a port is 1 to 65535: "
                "correct the profile's base URL."
            )
        if any(_CONTROL_CHARACTER.search(value) for _name, value in request.headers.raw):
            raise ConfigurationError(
                f"A value sent to {self._vendor_title} in a request header holds a line break "
                "or control character: check the profile's secrets and settings."
            )
        self._register_credentials(request)
        return request

    @staticmethod
    def _register_credentials(request: httpx.Request) -> None:
        """Every credential this request carries, as sent (tokens, computed signatures, the
        Basic header), is masked wherever a vendor echoes it."""
        for name, value in request.headers.items():
            if is_sensitive_name(name):
                register_credential_header(value)
        for name, value in request.url.params.multi_items():
            if is_sensitive_name(name):
                register_secret(value)

    async def _send_with_retries(
        self,
        client: httpx.AsyncClient,
        request: httpx.Request,
        safe_url: str,
        *,
        idempotent: bool,
        deadline: float,
        retried: list[HttpResponse],
    ) -> HttpResponse:
        """Send until an answer is final, or no retry fits before ``deadline``; each answer a
        retry is sent after goes to ``retried`` first, for the caller to report if the
        deadline cuts the retry off."""
        policy = self._retry_policy
        attempt = 0
        while True:
            try:
                response = await self._send_once(client, request, safe_url)
            except httpx.ConnectError as error:
                if _tls_failure_in_chain(error):
                    raise  # a certificate problem does not heal by retrying
                wait = policy.wait_before_retry(
                    idempotent=idempotent,
                    status=None,
                    attempt=attempt,
                    retry_after=None,
                    remaining=deadline - time.monotonic(),
                )
                if wait is None:
                    raise
            else:
                if response.status == PROXY_AUTHENTICATION_REQUIRED:
                    raise UnavailableError(
                        "The proxy asks for credentials (HTTP 407): set or correct the "
                        "proxy user and password in the preferences."
                    )
                wait = policy.wait_before_retry(
                    idempotent=idempotent,
                    status=response.status,
                    attempt=attempt,
                    retry_after=response.headers.get("retry-after"),
                    remaining=deadline - time.monotonic(),
                )
                if wait is None:
                    return response  # an answer, or no time left to wait: report what we have
                retried.append(response)
            log.info("retrying %s %s in %.2f s", request.method, safe_url, wait)
            attempt += 1
            await asyncio.sleep(wait)

    async def _send_once(
        self, client: httpx.AsyncClient, request: httpx.Request, safe_url: str
    ) -> HttpResponse:
        held = None if self._sent else HOLD_UNSENT.get()
        slot = None
        if self._limiter is not None:
            slot = await self._limiter.acquire(held)
        elif held is not None and held():
            raise RequestHeld
        self._sent = True  # from here on the request may be on its way
        started = time.monotonic()
        try:
            response = await client.send(request, stream=True)
            if slot is not None:
                RateLimiter.release(slot)  # the answer has begun: the request has arrived
            try:
                body = await self._read_capped(response)
            finally:
                await response.aclose()
        finally:
            if slot is not None:
                RateLimiter.release(slot)
        if self._limiter is not None and response.status_code == 429:
            self._limiter.slow_down(response.headers.get("retry-after"))
        elapsed = time.monotonic() - started
        log.info(
            "%s %s -> %s in %.0f ms", request.method, safe_url, response.status_code, elapsed * 1000
        )
        return HttpResponse(
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body,
            safe_url=safe_url,
            elapsed=elapsed,
        )

    async def _read_capped(self, response: httpx.Response) -> bytes:
        """The body, decoded here rather than by httpx (whose decoders inflate a whole chunk at
        once): the cap applies to the decoded bytes as they are decoded, layer by layer."""
        cap = self.settings.max_body_bytes
        status = response.status_code
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise BadResponseError(self._too_big(cap), http_status=status)
        chunks: list[bytes] = []
        received = decoded = since_yield = 0
        try:
            decoder = BodyDecoder(response.headers.get("content-encoding", ""), cap)
            async for raw in response.aiter_raw():
                received += len(raw)
                if received > cap:
                    raise DecodedSizeExceededError("received")
                for piece in decoder.feed(raw):
                    decoded += len(piece)
                    if decoded > cap:
                        raise DecodedSizeExceededError("decoded")
                    chunks.append(piece)
                    since_yield += len(piece)
                    if since_yield >= _DECODED_BYTES_PER_YIELD:
                        since_yield = 0
                        await asyncio.sleep(0)
        except DecodedSizeExceededError as error:
            raise BadResponseError(self._too_big(cap), http_status=status) from error
        except UndecodableBodyError as error:
            raise BadResponseError(
                f"{self._vendor_title}'s answer cannot be read: {error}.", http_status=status
            ) from error
        return b"".join(chunks)

    def _too_big(self, cap: int) -> str:
        return (
            f"Answer too large: {self._vendor_title} sent more than "
            f"{cap / (1024 * 1024):g} MiB (decoded) for one lookup; it was refused to keep "
            "the app responsive."
        )

    def _describe_transport_error(self, error: httpx.HTTPError, safe_url: str) -> str:
        for cause in _causes(error):
            if isinstance(cause, ssl.SSLCertVerificationError):
                return (
                    f"The TLS certificate of {safe_url} is not trusted ({cause.verify_message}). "
                    "Add the server's CA bundle to the profile."
                )
        why = _cause_in_words(error)
        if isinstance(error, httpx.ConnectError):
            return f"Cannot connect to {self._vendor_title} at {safe_url}: {why}."
        return f"No usable answer from {self._vendor_title} ({safe_url}): {why}."


#: What may never be in a header value: line breaks would split the request (RFC 9110 5.5).
_CONTROL_CHARACTER = re.compile(rb"[\x00-\x1f\x7f]")
#: How h11 quotes the bytes it could not parse ("illegal status line: bytearray(b'...')").
_BYTES_REPR = re.compile(r"""bytearray\((b'(?:[^'\\]|\\.)*'|b"(?:[^"\\]|\\.)*")\)""")


def _causes(error: BaseException) -> list[BaseException]:
    """The error and what caused it, outermost first."""
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain


def _tls_failure_in_chain(error: BaseException) -> bool:
    return any(isinstance(cause, ssl.SSLError) for cause in _causes(error))


def _cause_in_words(error: httpx.HTTPError) -> str:
    """Why a transport failed, in words for the user: never empty, never a Python repr."""
    for cause in _causes(error):
        if isinstance(cause, ConnectionResetError):
            return "the connection was reset by the server"
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused (nothing answers at that address and port)"
        if isinstance(cause, BrokenPipeError):
            return "the server closed the connection while the request was being sent"
        if isinstance(cause, socket.gaierror):
            return "the host name was not found"
        if isinstance(cause, ssl.SSLError):
            return f"the TLS connection failed ({excerpt(cause.reason or str(cause))})"
    text = str(error)
    if isinstance(error, httpx.RemoteProtocolError):
        if "without sending a response" in text:
            return "the server closed the connection without answering"
        if "complete message body" in text or "incomplete" in text.lower():
            return "the server closed the connection before the answer was complete"
        quoted = _BYTES_REPR.search(text)
        if quoted is not None:
            received = ast.literal_eval(quoted.group(1))
            shown = excerpt(received.decode("utf-8", errors="replace"), 60)
            return f"the answer is not HTTP; it begins: “{shown}”"
        return f"the answer broke the HTTP protocol ({excerpt(text, 160)})"
    if isinstance(error, httpx.ReadError):
        return "the connection failed while the answer was being read"
    if isinstance(error, httpx.WriteError):
        return "the connection failed while the request was being sent"
    if text:
        return excerpt(text, 160)
    return "the connection failed without a reason given"
