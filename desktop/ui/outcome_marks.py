"""An outcome on screen: a mark whose shape tells it apart, its words, and its colour.

The search and the history show outcomes alike, so a person reads them the same in both.
"""

from __future__ import annotations

from desktop.search import STATE_CANCELLED, STATE_FOUND

#: Colour by state; the word is always there too. Not asked, cancelled or not found is no fault.
_STATE_COLOURS = {"found": "success", "not found": "pending", "skipped": "pending",
                  "cancelled": "pending"}  # fmt: skip
#: A vendor that has not answered yet (a row from the start of the search).
STATE_ASKING = "asking"
#: Each outcome's mark: the shape tells them apart, not only the colour.
_STATE_MARKS = {STATE_FOUND: "✓", "not found": "○", "skipped": "–", STATE_ASKING: "…",
                STATE_CANCELLED: "⊘", "timeout": "⏱"}  # fmt: skip


def state_colour(state: str) -> str:
    return _STATE_COLOURS.get(state, "failure")


def outcome_words(state: str) -> str:
    """A mark and words for each outcome: '✓ found', '✗ error', 'skipped (not asked)'."""
    words = "skipped (not asked)" if state == "skipped" else state
    return f"{_STATE_MARKS.get(state, '✗')} {words}"
