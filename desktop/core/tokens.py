"""Access tokens that vendors issue (Huawei AICC tokenByAkSk, Verba RequestToken).

One cache per application. A token is reused until it nears expiry; concurrent lookups share one
token request; a token the vendor rejects is dropped and fetched again exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from desktop.core.errors import BadCredentialsError

_T = TypeVar("_T")

#: Renew when this share of the lifetime has passed, so a token never expires mid-request.
RENEW_AT_SHARE_OF_LIFETIME = 0.8


@dataclass(frozen=True)
class AccessToken:
    value: str
    #: Seconds of validity counted from ``obtained_at`` (monotonic clock).
    lifetime: float
    obtained_at: float = field(default_factory=time.monotonic)

    def is_fresh(self, now: float | None = None) -> bool:
        age = (time.monotonic() if now is None else now) - self.obtained_at
        return age < self.lifetime * RENEW_AT_SHARE_OF_LIFETIME


class TokenCache:
    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        #: How many times a token was requested from a vendor, by cache key (tests read it).
        self.fetch_counts: dict[str, int] = {}

    async def get(self, key: str, fetch: Callable[[], Awaitable[AccessToken]]) -> AccessToken:
        token = self._tokens.get(key)
        if token is not None and token.is_fresh():
            return token
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            token = self._tokens.get(key)
            if token is not None and token.is_fresh():
                return token  # another lookup fetched it while this one waited
            token = await fetch()
            self.fetch_counts[key] = self.fetch_counts.get(key, 0) + 1
            self._tokens[key] = token
            return token

    def invalidate(self, key: str, token: AccessToken) -> None:
        """Forget ``token`` unless a newer one already replaced it."""
        if self._tokens.get(key) is token:
            del self._tokens[key]

    def clear(self, key: str | None = None) -> None:
        if key is None:
            self._tokens.clear()
        else:
            self._tokens.pop(key, None)

    async def call_with_token(
        self,
        key: str,
        fetch: Callable[[], Awaitable[AccessToken]],
        call: Callable[[AccessToken], Awaitable[_T]],
    ) -> _T:
        """Run ``call`` with a valid token; on BadCredentialsError renew once and retry once."""
        token = await self.get(key, fetch)
        try:
            return await call(token)
        except BadCredentialsError:
            self.invalidate(key, token)
        token = await self.get(key, fetch)
        try:
            return await call(token)
        except BadCredentialsError as error:
            self.invalidate(key, token)
            raise BadCredentialsError(
                f"Credentials rejected: {error.message}",
                vendor=error.vendor,
                http_status=error.http_status,
                vendor_code=error.vendor_code,
                vendor_text=error.vendor_text,
            ) from error
