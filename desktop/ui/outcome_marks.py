"""An outcome on screen: a mark whose shape tells it apart, its words, and its tone.

The search and the history show outcomes alike, so a person reads them the same in both. A
history file may hold a word no ``Outcome`` has (written by another version): it shows as it
is, marked as a failure.
"""

from __future__ import annotations

from desktop.core.outcome import Outcome
from desktop.ui.theme import Tone

#: Not asked, cancelled or not found is no fault; every other outcome is a failure.
_TONES: dict[str, Tone] = {
    Outcome.FOUND: "success",
    Outcome.NOT_FOUND: "pending",
    Outcome.SKIPPED: "pending",
    Outcome.CANCELLED: "pending",
}
#: Each outcome's mark: the shape tells them apart, not only the colour.
_MARKS: dict[str, str] = {
    Outcome.FOUND: "✓",
    Outcome.NOT_FOUND: "○",
    Outcome.SKIPPED: "–",
    Outcome.ASKING: "…",
    Outcome.CANCELLED: "⊘",
    Outcome.TIMEOUT: "⏱",
}


def outcome_tone(outcome: str) -> Tone:
    return _TONES.get(outcome, "failure")


def outcome_words(outcome: str) -> str:
    """A mark and words for each outcome: '✓ found', '✗ error', 'skipped (not asked)'."""
    words = "skipped (not asked)" if outcome == Outcome.SKIPPED else outcome
    return f"{_MARKS.get(outcome, '✗')} {words}"
