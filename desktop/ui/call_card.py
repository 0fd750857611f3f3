"""The call card above the result tables: one sentence and the few facts an agent needs.

Built only from what every vendor declares generically (DetailField roles, the task status,
recording links), so a new vendor gets a card without touching this file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.core.models import CallRecord, FieldRole, LookupResult, RecordingLink
from desktop.core.timefmt import hms, screen_time, zone_of


def _moment(call: CallRecord, role: FieldRole) -> datetime | None:
    found = call.by_role(role)
    return found.moment if found is not None else None


def _when(moment: datetime | None, fallback: str) -> str:
    """'2020-09-30 15:33:00 (Europe/Berlin)': the time as every table shows it, the zone said
    once; a time the vendor module could not read stays as the vendor sent it."""
    if moment is None:
        return f"{fallback} (as the vendor sent it)" if fallback else ""
    return f"{screen_time(moment)} ({zone_of(moment)})"


@dataclass(frozen=True)
class CardContent:
    sentence: str
    #: (caption, value) pairs in reading order; empty values are left out.
    facts: list[tuple[str, str]] = field(default_factory=list)
    recording: RecordingLink | None = None


def _value(call: CallRecord, role: FieldRole) -> str:
    """The role's field as people read it: a code's meaning rather than the code."""
    found = call.by_role(role)
    return found.words if found is not None else ""


def card_content(result: LookupResult, vendor_title: str) -> CardContent:
    """What the card says about a lookup's answer (the first call when there are several)."""
    recording = result.recordings[0] if result.recordings else None
    if not result.calls:
        task = result.task
        if task is not None:
            sentence = f"{vendor_title} request {task.request_id}: {task.status_text}."
            facts = [("Outcome", task.reason or task.status_text)]
            return CardContent(sentence, facts, recording)
        return CardContent(result.summary or f"{vendor_title} answered.", [], recording)
    call = result.calls[0]
    caller, called = _value(call, FieldRole.CALLER), _value(call, FieldRole.CALLED)
    if caller and called:
        who = f"{caller} called {called}"
    elif called:
        who = f"Call to {called}"
    elif caller:
        who = f"Call from {caller}"
    else:
        who = f"Call {call.call_id or _value(call, FieldRole.CALL_ID)}"
    when = _when(_moment(call, FieldRole.STARTED), _value(call, FieldRole.STARTED))
    seconds = call.duration_seconds()
    outcome = _value(call, FieldRole.STATUS)
    if not outcome and result.task is not None:
        outcome = result.task.status_text
    parts = [who]
    if when:
        parts.append(f"on {when}")
    if seconds is not None:
        parts.append(f"for {hms(seconds)}")
    sentence = " ".join(parts) + (f" — {outcome}." if outcome else ".")
    facts = [
        ("Direction", _value(call, FieldRole.DIRECTION)),
        ("Call ID", call.call_id or _value(call, FieldRole.CALL_ID)),
    ]
    if len(result.calls) > 1:
        facts.append(("Calls", f"{len(result.calls)} (the first is shown here)"))
    return CardContent(sentence, [(c, v) for c, v in facts if v], recording)


def expiry_text(link: RecordingLink, now: datetime | None = None) -> str:
    """'expires in 1:05:00 (2026-11-30 05:21:00 Europe/Berlin)' / 'expired …' / '' when
    not said."""
    if link.expires_at is None:
        return ""
    at = f"{screen_time(link.expires_at)} {zone_of(link.expires_at)}"
    left = (link.expires_at - (now or datetime.now(UTC))).total_seconds()
    if left <= 0:
        return f"expired {at}"
    return f"expires in {hms(left)} ({at})"


def _plain(object_name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # vendor text is never rich text
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CallCard(QFrame):
    """objectName ``callCard``; hidden until there is an answer, cleared when a lookup starts."""

    def __init__(
        self, open_recording: Callable[[RecordingLink], object], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("callCard")
        self.setProperty("role", "card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._open_recording = open_recording
        self._link: RecordingLink | None = None
        self.sentence = _plain("callCardSentence")
        self.sentence.setWordWrap(True)
        self.sentence.setProperty("role", "cardSentence")
        self.facts = _plain("callCardFacts")
        self.facts.setWordWrap(True)
        self.facts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.recording_label = _plain("callCardRecording")

        self.open_button = QPushButton("&Open recording")
        self.open_button.setObjectName("callCardOpen")
        self.open_button.clicked.connect(self._open)
        self.copy_button = QPushButton("Cop&y link")
        self.copy_button.setObjectName("callCardCopy")
        self.copy_button.clicked.connect(self._copy)
        self.recording_row = QWidget()
        recording = QHBoxLayout(self.recording_row)
        recording.setContentsMargins(0, 0, 0, 0)
        recording.addWidget(self.recording_label)
        recording.addWidget(self.open_button)
        recording.addWidget(self.copy_button)
        # The facts and the recording share a line: the tables keep the height.
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.facts, 1)
        row.addWidget(self.recording_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(2)
        layout.addWidget(self.sentence)
        layout.addLayout(row)
        self.hide()

    @property
    def recording(self) -> RecordingLink | None:
        return self._link

    def show_content(self, content: CardContent) -> None:
        self.sentence.setText(content.sentence)
        self.facts.setText(
            "   ·   ".join(f"{caption}: {value}" for caption, value in content.facts)
        )
        self.facts.setVisible(bool(content.facts))
        self._link = content.recording
        if content.recording is not None:
            expiry = expiry_text(content.recording)
            text = content.recording.label + (f" — {expiry}" if expiry else "")
            self.recording_label.setText(text)
            self.recording_label.setToolTip(content.recording.url)
        self.recording_row.setVisible(content.recording is not None)
        self.setAccessibleDescription(content.sentence)
        self.show()

    def clear(self) -> None:
        self._link = None
        self.sentence.clear()
        self.facts.clear()
        self.recording_label.clear()
        self.hide()

    def text(self) -> str:
        """What the card says, as lines (for tests and screen readers)."""
        lines = [self.sentence.text()]
        if self.facts.isVisibleTo(self):
            lines.append(self.facts.text())
        if self._link is not None:
            lines.append(self.recording_label.text())
        return "\n".join(lines)

    def _open(self) -> None:
        if self._link is not None:
            self._open_recording(self._link)

    def _copy(self) -> None:
        if self._link is not None:
            QApplication.clipboard().setText(self._link.url)
