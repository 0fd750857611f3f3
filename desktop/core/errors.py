"""One exception family for everything a lookup can go wrong with.

Every error carries a sentence a support agent understands (``message``) and, where the vendor said
something, the vendor's own code and text, so nothing the vendor told us is lost.
"""

from __future__ import annotations

from typing import ClassVar

from desktop.core.outcome import Outcome
from desktop.core.redact import redact_secret_values, visible


class CallLookupError(Exception):
    """Base of every error the application raises on purpose.

    Its message is masked when the error is made: messages quote vendors, URLs and inputs, and
    every secret in use is registered before anything is sent, so an echoed credential never
    reaches a screen, stderr, the history or a log through an error. Control characters a vendor
    sent are written as escapes, so none can drive the terminal that prints the message."""

    def __init__(self, message: str) -> None:
        message = visible(redact_secret_values(message))
        super().__init__(message)
        self.message = message


class InvalidInputError(CallLookupError):
    """A form value is wrong; nothing was sent. ``field`` names the input (its API name)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInputsError(InvalidInputError):
    """Several form values are wrong at once: one message per field, nothing was sent."""

    def __init__(self, problems: dict[str, str]) -> None:
        first_field, first_message = next(iter(problems.items()))
        summary = "; ".join(f"{name}: {text}" for name, text in problems.items())
        super().__init__(summary, field=first_field)
        self.problems = dict(problems)
        self.first_message = first_message


class ConfigurationError(CallLookupError):
    """A profile is missing or incomplete (no base URL, a secret not set, unknown vendor)."""


class CredentialStoreError(CallLookupError):
    """The OS keyring cannot be used (no Secret Service, locked, refused, value too large)."""


class VendorError(CallLookupError):
    """The vendor (or the way to it) did not give us a usable answer."""

    #: A short word for tables and the CLI: what kind of failure this is.
    kind: ClassVar[Outcome] = Outcome.ERROR

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        http_status: int | None = None,
        vendor_code: str | None = None,
        vendor_text: str | None = None,
    ) -> None:
        super().__init__(message)
        self.vendor = vendor
        self.http_status = http_status
        self.vendor_code = _vendor_words(vendor_code)
        self.vendor_text = _vendor_words(vendor_text)

    def describe(self) -> str:
        """The message plus the vendor's own words, on one line."""
        extras = []
        if self.http_status is not None:
            extras.append(f"HTTP {self.http_status}")
        if self.vendor_code:
            extras.append(f"code {self.vendor_code}")
        if self.vendor_text and self.vendor_text not in self.message:
            extras.append(f"vendor says: {self.vendor_text}")
        return f"{self.message} ({'; '.join(extras)})" if extras else self.message


def _vendor_words(text: str | None) -> str | None:
    return visible(redact_secret_values(text)) if text is not None else None


class NotFoundError(VendorError):
    kind = Outcome.NOT_FOUND


class BadCredentialsError(VendorError):
    kind = Outcome.BAD_CREDENTIALS


class ForbiddenError(VendorError):
    kind = Outcome.FORBIDDEN


class RateLimitedError(VendorError):
    kind = Outcome.RATE_LIMITED

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        vendor: str | None = None,
        http_status: int | None = None,
        vendor_code: str | None = None,
        vendor_text: str | None = None,
    ) -> None:
        super().__init__(
            message,
            vendor=vendor,
            http_status=http_status,
            vendor_code=vendor_code,
            vendor_text=vendor_text,
        )
        self.retry_after = retry_after


class VendorRejectedError(VendorError):
    """The vendor refused the request as malformed (HTTP 400 or an input error code)."""

    kind = Outcome.REJECTED


class UnavailableError(VendorError):
    """Network failure, timeout, TLS failure or a 5xx: the vendor could not be reached or failed."""

    kind = Outcome.UNAVAILABLE


class VendorTimeoutError(UnavailableError):
    kind = Outcome.TIMEOUT


class BadResponseError(VendorError):
    """The vendor answered with something we cannot read (HTML, wrong types, too big, hostile)."""

    kind = Outcome.BAD_RESPONSE


class HistoryError(CallLookupError):
    """The lookup history file cannot be used: locked by another program, disk full, damaged or
    not writable. ``kind`` says which, in a word; the lookup itself is never affected."""

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        #: 'locked', 'disk full', 'permission denied', 'corrupt' or 'error'.
        self.kind = kind
