"""The figures above the attempts table: counts, first answer, dial time, cost, and one chip per
status. A chip carries its outcome's symbol and word as well as its colour, so no meaning rests
on colour alone, and each chip has an accessible name that reads as a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop.core.attempts import AttemptSummary
from desktop.ui.table_models import outcome_label, outcome_state, spelled


@dataclass(frozen=True)
class AttemptFigures:
    """The one source of the figures the banner, status bar, summary and copied summary show.

    ``counted`` attempts were tallied out of ``total``: all of them once every page is loaded,
    else the first ``counted`` in the vendor's own order, whatever order the table is sorted
    in (a server-side sort pages anew, and its rows are not a fair sample of the call)."""

    summary: AttemptSummary
    counted: int
    total: int

    @property
    def complete(self) -> bool:
        return self.counted >= self.total

    def scope(self) -> str:
        if not self.counted:
            return "No attempts found."
        if self.complete:
            return f"Figures of all {self.total:,} attempts of the call."
        return (
            f"Figures of the first {self.counted:,} of {self.total:,} attempts (in the vendor's "
            f"order, whatever the sort); Load all for the whole call."
        )

    def line(self) -> str:
        """One line for the banner, the status bar and a ticket."""
        if not self.counted:
            return "No attempts found."
        figures = self.summary
        scope = "" if self.complete else f"first {self.counted:,} loaded: "
        return (
            f"{self.total:,} attempts · {scope}{figures.answered:,} answered · "
            f"{figures.not_answered:,} not answered · dial time {figures.dial_text} · "
            f"cost {figures.cost_text}"
        )

    def ticket_text(self) -> str:
        """The line, then first answer and attempts per status (for Ctrl+Alt+C)."""
        lines = [self.line()]
        if self.counted:
            lines.append(f"First answer: {self.summary.first_answer_text}")
            statuses = ", ".join(
                f"{spelled(status)} {count:,}" for status, count in self.summary.statuses.items()
            )
            if statuses:
                lines.append(f"By status: {statuses}")
        return "\n".join(lines)


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # status words come from the vendor
    return label


class AttemptSummaryView(QWidget):
    """One chip per status, in a row; the figures themselves are in the call card (one line
    from ``AttemptFigures``), so the table keeps the height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attemptsSummary")
        self.setAccessibleName("Attempts summary")
        self._text = ""
        self.chips = QHBoxLayout(self)
        self.chips.setContentsMargins(0, 0, 0, 0)
        self.chips.setSpacing(6)

    def text(self) -> str:
        """The whole summary as one line (for tests, screen readers and copying)."""
        return self._text

    def show_summary(self, figures: AttemptFigures) -> None:
        self._text = figures.line()
        self.setAccessibleDescription(f"{self._text}. {figures.scope()}")
        self._show_chips(figures.summary)

    def _show_chips(self, summary: AttemptSummary) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for status, count in summary.statuses.items():
            outcome = summary.outcomes.get(status)
            chip = _plain(f"{outcome_label(status, outcome)}  {count:,}")
            chip.setObjectName("statusChip")
            chip.setProperty("role", "chip")
            chip.setProperty("state", outcome_state(outcome) or "unknown")
            meaning = outcome.value if outcome is not None else "status not known to the app"
            chip.setAccessibleName(f"{spelled(status)}: {count} attempts, {meaning}")
            chip.setToolTip(f"{status}: {meaning}")
            self.chips.addWidget(chip)
