"""The figures above the attempts table: counts, first answer, dial time, cost, and one chip per
status. A chip carries its outcome's symbol and word as well as its colour, so no meaning rests
on colour alone, and each chip has an accessible name that reads as a sentence.
"""

from __future__ import annotations

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

    def show_summary(self, summary: AttemptSummary, loaded: int, total: int) -> None:
        if not loaded:
            self._text = "No attempts found."
        elif loaded < total:
            self._text = f"Loaded so far: {summary.text()}"
        else:
            self._text = summary.text()
        self.setAccessibleDescription(self._text)
        self.scope.setText(
            "No attempts found."
            if not loaded
            else f"Figures of the {loaded:,} loaded attempts; {total - loaded:,} more not loaded."
            if loaded < total
            else f"Figures of all {total:,} attempts."
        )
        shown = {
            "summaryAttempts": f"{summary.attempts:,}",
            "summaryAnswered": f"{summary.answered:,}",
            "summaryNotAnswered": f"{summary.not_answered:,}",
            "summaryFirstAnswer": summary.first_answer_text,
            "summaryDialTime": summary.dial_text,
            "summaryCost": summary.cost_text,
        }
        for name, value in shown.items():
            self.values[name].setText(value if loaded else "—")
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
