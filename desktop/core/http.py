"""The one place that talks HTTP: timeouts, TLS, size caps, rate limits, error mapping, redaction.

Vendor modules describe requests and read ``HttpResponse`` objects; they never configure httpx.
Every ``import httpx`` of the project is in this module, so a switch of HTTP library is one file.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from desktop.core.errors import BadResponseError, UnavailableError, VendorTimeoutError
from desktop.core.redact import redact_url, register_secret

log = logging.getLogger(__name__)

#: Bodies above this are refused: a vendor's answer to one lookup is never megabytes.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
_USER_AGENT = "CallLookup"


@dataclass(frozen=True)
class TlsSettings:
    """How to check the server's certificate; one pooled client exists per distinct value."""

    verify: bool = True
    ca_bundle: str | None = None


@dataclass(frozen=True)
class HttpSettings:
    timeout: float = 20.0
    tls: TlsSettings = TlsSettings()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


class RateLimiter:
    """At most ``limit`` requests in any ``period`` seconds; callers wait for a free slot.

    A slot counts from when its request ends, not when it starts: the vendor counts arrivals,
    and a request may arrive late, so counting from the end can never undercount."""

    #: Extra seconds on the window, for clock and scheduling jitter between us and the vendor.
    SAFETY_MARGIN = 0.1

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period + self.SAFETY_MARGIN
        #: One entry per slot: None while its request runs, then the time it ended.
        self._slots: list[list[float | None]] = []
        self._lock = asyncio.Lock()

    async def acquire(self) -> list[float | None]:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._slots = [
                    slot for slot in self._slots if slot[0] is None or now - slot[0] < self.period
                ]
                if len(self._slots) < self.limit:
                    slot: list[float | None] = [None]
                    self._slots.append(slot)
                    return slot
                ended = [slot[0] for slot in self._slots if slot[0] is not None]
                wait = self.period - (now - min(ended)) if ended else 0.05
                await asyncio.sleep(max(wait, 0.01))

    @staticmethod
    def release(slot: list[float | None]) -> None:
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
            return json.loads(self.body)
        except (ValueError, RecursionError) as error:
            raise BadResponseError(
                f"The server's answer is not valid JSON ({error}).", http_status=self.status
            ) from error

    def json_or_none(self) -> Any:
        """The body as JSON when it is JSON, else None (error bodies are often not)."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except (ValueError, RecursionError):
            return None


def _ssl_context(tls: TlsSettings) -> ssl.SSLContext | bool:
    if not tls.verify:
        return False
    if tls.ca_bundle:
        try:
            return ssl.create_default_context(cafile=tls.ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise UnavailableError(f"Cannot use the CA bundle {tls.ca_bundle}: {error}") from error
    return ssl.create_default_context()


@dataclass
class HttpClientPool:
    """The app's HTTP clients: created on first use, one per TLS setting, closed on quit."""

    _clients: dict[TlsSettings, httpx.AsyncClient] = field(default_factory=dict)

    def client(self, tls: TlsSettings) -> httpx.AsyncClient:
        existing = self._clients.get(tls)
        if existing is None or existing.is_closed:
            existing = httpx.AsyncClient(
                verify=_ssl_context(tls),
                headers={"User-Agent": _USER_AGENT},
                follow_redirects=False,
                trust_env=True,
            )
            self._clients[tls] = existing
        return existing

    async def aclose(self) -> None:
        clients = list(self._clients.values())
        self._clients.clear()
        for client in clients:
            await client.aclose()


class HttpSession:
    """Requests for one vendor profile: its timeout, TLS choice, size cap and rate limit."""

    def __init__(
        self,
        pool: HttpClientPool,
        settings: HttpSettings,
        *,
        vendor_title: str,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._pool = pool
        self.settings = settings
        self._vendor_title = vendor_title
        self._limiter = limiter

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
    ) -> HttpResponse:
        """Send one request and read the whole (capped) body. Raises UnavailableError,
        VendorTimeoutError or BadResponseError; HTTP error statuses are returned, not raised."""
        client = self._pool.client(self.settings.tls)
        request = client.build_request(
            method,
            url,
            params=params,
            headers=dict(headers or {}),
            json=json_body,
            content=content,
            timeout=httpx.Timeout(self.settings.timeout),
        )
        if basic_auth is not None:
            credentials = base64.b64encode(":".join(basic_auth).encode("utf-8")).decode("ascii")
            register_secret(credentials)
            request.headers["Authorization"] = f"Basic {credentials}"
        safe_url = redact_url(str(request.url))
        slot = await self._limiter.acquire() if self._limiter is not None else None
        started = time.monotonic()
        try:
            # The whole exchange, headers and body, must end within the profile's timeout.
            async with asyncio.timeout(self.settings.timeout):
                response = await client.send(request, stream=True)
                try:
                    body = await self._read_capped(response, safe_url)
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.TimeoutException) as error:
            raise VendorTimeoutError(
                f"{self._vendor_title} did not answer within {self.settings.timeout:g} s "
                f"({safe_url}).",
            ) from error
        except httpx.HTTPError as error:
            raise UnavailableError(self._describe_transport_error(error, safe_url)) from error
        finally:
            if slot is not None:
                RateLimiter.release(slot)
        elapsed = time.monotonic() - started
        log.info("%s %s -> %s in %.0f ms", method, safe_url, response.status_code, elapsed * 1000)
        return HttpResponse(
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body,
            safe_url=safe_url,
            elapsed=elapsed,
        )

    async def _read_capped(self, response: httpx.Response, safe_url: str) -> bytes:
        cap = self.settings.max_body_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise BadResponseError(self._too_big(cap), http_status=response.status_code)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise BadResponseError(self._too_big(cap), http_status=response.status_code)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self, cap: int) -> str:
        return (
            f"{self._vendor_title} sent more than {cap // (1024 * 1024)} MiB for one lookup; "
            "the answer was refused to keep the app responsive."
        )

    def _describe_transport_error(self, error: httpx.HTTPError, safe_url: str) -> str:
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, ssl.SSLCertVerificationError):
                return (
                    f"The TLS certificate of {safe_url} is not trusted ({cause.verify_message}). "
                    "Add the server's CA bundle to the profile."
                )
            cause = cause.__cause__ or cause.__context__
        if isinstance(error, httpx.ConnectError):
            return f"Cannot connect to {self._vendor_title} at {safe_url}: {error or 'refused'}."
        if isinstance(error, httpx.RemoteProtocolError):
            return f"{self._vendor_title} broke off the answer ({safe_url}): {error}."
        return f"Network error talking to {self._vendor_title} ({safe_url}): {error}."
