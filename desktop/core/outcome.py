"""How a lookup ended, in one word: what the history stores, the CLI prints and the screens mark.

The values are the words the history file has always held (``found``, ``not found``,
``timeout`` ...), so older files read the same and the CLI's text and JSON do not change.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not found"
    #: A vendor error of no more precise kind, or a failure before the vendor was asked.
    ERROR = "error"
    BAD_CREDENTIALS = "bad credentials"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate limited"
    #: The vendor refused the request as malformed.
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    BAD_RESPONSE = "bad response"
    CANCELLED = "cancelled"
    #: A search did not ask this profile (it does not take the value); never recorded.
    SKIPPED = "skipped"
    #: A search's profile that has not answered yet; never recorded.
    ASKING = "asking"


#: What a lookup may be recorded with, in the order the CLI and the History panel offer them.
RECORDED_OUTCOMES = tuple(
    outcome for outcome in Outcome if outcome not in (Outcome.SKIPPED, Outcome.ASKING)
)
