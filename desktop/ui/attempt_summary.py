"""The figures above the attempts table: counts, first answer, dial time, cost, and one chip per
status. A chip carries its outcome's symbol and word as well as its colour, so no meaning rests
on colour alone, and each chip has an accessible name that reads as a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.core.attempts import AttemptSummary
from desktop.ui.table_models import outcome_label, outcome_state

#: (caption, objectName) of each figure, in reading order.
_FIGURES = (
    ("Attempts", "summaryAttempts"),
    ("Answered", "summaryAnswered"),
    ("Not answered", "summaryNotAnswered"),
    ("First answer", "summaryFirstAnswer"),
    ("Total dial time", "summaryDialTime"),
    ("Total cost", "summaryCost"),
)


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
                f"{outcome_label(status, self.summary.outcomes.get(status)).split(' ', 1)[-1]} "
                f"{count:,}"
                for status, count in self.summary.statuses.items()
            )
            if statuses:
                lines.append(f"By status: {statuses}")
        return "\n".join(lines)


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # status words come from the vendor
    return label


class AttemptSummaryView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attemptsSummary")
        self.setAccessibleName("Attempts summary")
        self._text = ""
        self.scope = _plain()
        self.scope.setObjectName("summaryScope")
        self.scope.setProperty("role", "muted")
        self.values: dict[str, QLabel] = {}
        figures = QGridLayout()
        figures.setHorizontalSpacing(28)
        figures.setVerticalSpacing(2)
        for column, (caption, name) in enumerate(_FIGURES):
            caption_label = _plain(caption)
            caption_label.setProperty("role", "muted")
            value = _plain("—")
            value.setObjectName(name)
            value.setProperty("role", "figure")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            figures.addWidget(caption_label, 0, column)
            figures.addWidget(value, 1, column)
            self.values[name] = value
        figures.setColumnStretch(len(_FIGURES), 1)
        self.chips = QHBoxLayout()
        self.chips.setSpacing(6)
        self.chips.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.scope)
        layout.addLayout(figures)
        layout.addLayout(self.chips)

    def text(self) -> str:
        """The whole summary as one line (for tests, screen readers and copying)."""
        return self._text

    def show_summary(self, figures: AttemptFigures) -> None:
        summary, counted = figures.summary, figures.counted
        self._text = figures.line()
        self.setAccessibleDescription(self._text)
        self.scope.setText(figures.scope())
        shown = {
            "summaryAttempts": f"{summary.attempts:,}",
            "summaryAnswered": f"{summary.answered:,}",
            "summaryNotAnswered": f"{summary.not_answered:,}",
            "summaryFirstAnswer": summary.first_answer_text,
            "summaryDialTime": summary.dial_text,
            "summaryCost": summary.cost_text,
        }
        for name, value in shown.items():
            self.values[name].setText(value if counted else "—")
        self._show_chips(summary)

    def _show_chips(self, summary: AttemptSummary) -> None:
        while self.chips.count() > 1:  # the last item is the stretch
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for position, (status, count) in enumerate(summary.statuses.items()):
            outcome = summary.outcomes.get(status)
            chip = _plain(f"{outcome_label(status, outcome)}  {count:,}")
            chip.setObjectName("statusChip")
            chip.setProperty("role", "chip")
            chip.setProperty("state", outcome_state(outcome) or "unknown")
            meaning = outcome.value if outcome is not None else "status not known to the app"
            chip.setAccessibleName(f"{status}: {count} attempts, {meaning}")
            chip.setToolTip(f"{status}: {meaning}")
            self.chips.insertWidget(position, chip)
