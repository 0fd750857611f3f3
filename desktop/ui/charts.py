"""Charts drawn with QPainter: bars per user, a daily trend, a week-by-hour heatmap.

No plotting library: the three charts need a few hundred lines of painting, while pyqtgraph
brings numpy (~83 MB installed) and QtCharts/QtGraphs need PySide6-Addons (a 175 MB wheel). The
colours are Okabe and Ito's colour-blind-safe set, per theme; every chart states its figure in
its title and labels its marks with numbers, so colour is never the only signal. Each chart
copies itself to the clipboard as an image and saves as PNG or SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QFileDialog, QSizePolicy, QWidget

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
#: deficiency. Light backgrounds take the darker members, dark backgrounds the lighter ones.
OKABE_ITO = {
    "light": {"answered": "#0072B2", "missed": "#D55E00", "attempts": "#0072B2",
              "line_missed": "#D55E00", "heat": "#0072B2"},
    "dark": {"answered": "#56B4E9", "missed": "#E69F00", "attempts": "#56B4E9",
             "line_missed": "#E69F00", "heat": "#56B4E9"},
}  # fmt: skip
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def scheme_of(widget: QWidget) -> str:
    return "dark" if widget.palette().color(QPalette.ColorRole.Base).lightness() < 128 else "light"


class Chart(QWidget):
    """A titled chart: subclasses paint the plot area; the frame, copy and save are here."""

    #: The index of the mark clicked (a bar, a day, a heatmap cell as weekday * 24 + hour).
    activated = Signal(int)

    def __init__(self, object_name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(title)
        self.title = title
        self.setMinimumSize(360, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.copy_action = self._add_action("Copy chart as image", self.copy_image)
        self.save_action = self._add_action("Save chart as PNG or SVG…", self.save_with_dialog)

    def _add_action(self, text: str, slot: object) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def colour(self, role: str) -> QColor:
        return QColor(OKABE_ITO[scheme_of(self)][role])

    def text_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Text)

    def sizeHint(self) -> QSize:
        return QSize(640, 320)

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        self.render_chart(painter, QRectF(self.rect()))
        painter.end()

    def render_chart(self, painter: QPainter, area: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(area, self.palette().color(QPalette.ColorRole.Base))
        painter.setPen(self.text_colour())
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        line = painter.fontMetrics().height()
        painter.drawText(area.adjusted(8, 4, -8, 0), Qt.AlignmentFlag.AlignLeft, self.title)
        painter.setFont(self.font())
        self.paint_plot(painter, area.adjusted(8, line + 10, -8, -6))

    def paint_plot(self, painter: QPainter, area: QRectF) -> None:
        raise NotImplementedError

    def mark_at(self, point: QPointF) -> int | None:
        """Which mark lies under a point of the widget (None: none)."""
        return None

    def mouseReleaseEvent(self, event: object) -> None:
        position = getattr(event, "position", None)
        if position is None:
            return
        index = self.mark_at(position())
        if index is not None:
            self.activated.emit(index)

    # -- copy and save ---------------------------------------------------------------------
    def image(self) -> QImage:
        ratio = self.devicePixelRatioF()
        image = QImage(self.size() * ratio, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        painter = QPainter(image)
        self.render_chart(painter, QRectF(self.rect()))
        painter.end()
        return image

    def copy_image(self) -> None:
        QApplication.clipboard().setImage(self.image())

    def save(self, path: Path) -> None:
        if path.suffix.lower() == ".svg":
            generator = QSvgGenerator()
            generator.setFileName(str(path))
            generator.setSize(self.size())
            generator.setViewBox(self.rect())
            generator.setTitle(self.title)
            painter = QPainter(generator)
            self.render_chart(painter, QRectF(self.rect()))
            painter.end()
        elif not self.image().save(str(path.with_suffix(".png"))):
            raise OSError(f"could not write {path}")

    def save_with_dialog(self) -> None:
        path, _chosen = QFileDialog.getSaveFileName(
            self, "Save chart", f"{self.objectName()}.png", "PNG image (*.png);;SVG image (*.svg)"
        )
        if path:
            self.save(Path(path))


@dataclass(frozen=True)
class Bar:
    label: str
    answered: int
    missed: int


class BarChart(Chart):
    """Answered and missed attempts per user: one horizontal stacked bar each, numbers on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("userBars", "Attempts per user: answered and missed", parent)
        self.bars: list[Bar] = []
        self._rows: list[QRectF] = []

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars = list(bars)
        self.update()

    def paint_plot(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        self._legend(painter, area)
        area = area.adjusted(0, metrics.height() + 6, 0, 0)
        self._rows = []
        if not self.bars:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No attempts in the period")
            return
        label_width = min(area.width() * 0.35, max(metrics.horizontalAdvance(b.label)
                                                  for b in self.bars) + 8)  # fmt: skip
        peak = max(b.answered + b.missed for b in self.bars) or 1
        row = min(28.0, area.height() / len(self.bars))
        widest = max(metrics.horizontalAdvance(f"{b.answered:,} / {b.missed:,}") for b in self.bars)
        scale = (area.width() - label_width - widest - 12) / peak
        for index, bar in enumerate(self.bars):
            top = area.top() + index * row
            box = QRectF(area.left(), top, area.width(), row)
            self._rows.append(box)
            painter.setPen(self.text_colour())
            painter.drawText(QRectF(area.left(), top, label_width - 6, row),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight,
                                                int(label_width - 6)))  # fmt: skip
            left = area.left() + label_width
            height = row * 0.7
            y = top + (row - height) / 2
            answered = QRectF(left, y, bar.answered * scale, height)
            missed = QRectF(answered.right(), y, bar.missed * scale, height)
            painter.fillRect(answered, self.colour("answered"))
            painter.fillRect(missed, self.colour("missed"))
            painter.setPen(self.text_colour())
            painter.drawText(QRectF(missed.right() + 6, top, widest + 6, row),
                             Qt.AlignmentFlag.AlignVCenter,
                             f"{bar.answered:,} / {bar.missed:,}")  # fmt: skip

    def _legend(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        x = area.left()
        for role, text in (
            ("answered", "answered"),
            ("missed", "missed (numbers: answered / missed)"),
        ):
            painter.fillRect(QRectF(x, area.top() + 3, 12, 12), self.colour(role))
            painter.setPen(self.text_colour())
            painter.drawText(QPointF(x + 16, area.top() + metrics.ascent() + 1), text)
            x += 16 + metrics.horizontalAdvance(text) + 18

    def mark_at(self, point: QPointF) -> int | None:
        for index, box in enumerate(self._rows):
            if box.contains(point):
                return index
        return None


@dataclass(frozen=True)
class DayPoint:
    label: str
    attempts: int
    missed: int


class TrendChart(Chart):
    """Attempts and missed attempts per day, two lines with their values at each point."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("dailyTrend", "Attempts and missed attempts per day", parent)
        self.points: list[DayPoint] = []
        self._xs: list[float] = []

    def set_points(self, points: Sequence[DayPoint]) -> None:
        self.points = list(points)
        self.update()

    def paint_plot(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        x = area.left()
        for role, text in (("attempts", "attempts"), ("line_missed", "missed")):
            painter.setPen(QPen(self.colour(role), 3))
            painter.drawLine(QPointF(x, area.top() + 9), QPointF(x + 18, area.top() + 9))
            painter.setPen(self.text_colour())
            painter.drawText(QPointF(x + 22, area.top() + metrics.ascent() + 1), text)
            x += 22 + metrics.horizontalAdvance(text) + 18
        inset = metrics.horizontalAdvance("Mon 11-09") / 2 + 4  # the first and last day labels
        plot = area.adjusted(inset, metrics.height() * 2 + 8, -inset, -metrics.height() - 6)
        self._xs = []
        if not self.points:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No attempts in the period")
            return
        peak = max(point.attempts for point in self.points) or 1
        step = plot.width() / max(1, len(self.points) - 1) if len(self.points) > 1 else 0
        self._xs = [plot.left() + index * step if step else plot.center().x()
                    for index in range(len(self.points))]  # fmt: skip
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        for role, values in (
            ("attempts", [point.attempts for point in self.points]),
            ("line_missed", [point.missed for point in self.points]),
        ):
            path = QPainterPath()
            for index, value in enumerate(values):
                y = plot.bottom() - value / peak * plot.height()
                position = QPointF(self._xs[index], y)
                if index:
                    path.lineTo(position)
                else:
                    path.moveTo(position)
            painter.setPen(QPen(self.colour(role), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)  # a line, not a filled shape
            painter.drawPath(path)
            for index, value in enumerate(values):
                y = plot.bottom() - value / peak * plot.height()
                painter.setBrush(self.colour(role))
                painter.drawEllipse(QPointF(self._xs[index], y), 3.5, 3.5)
                painter.setPen(self.text_colour())
                painter.drawText(QPointF(self._xs[index] - 14, y - 7), f"{value:,}")
                painter.setPen(QPen(self.colour(role), 2.5))
        painter.setPen(self.text_colour())
        for index, point in enumerate(self.points):
            width = metrics.horizontalAdvance(point.label)
            below = plot.bottom() + metrics.height() + 2
            painter.drawText(QPointF(self._xs[index] - width / 2, below), point.label)

    def mark_at(self, point: QPointF) -> int | None:
        if not self._xs:
            return None
        nearest = min(range(len(self._xs)), key=lambda index: abs(self._xs[index] - point.x()))
        return nearest if abs(self._xs[nearest] - point.x()) < 24 else None


class HeatmapChart(Chart):
    """Attempts (or missed attempts) by weekday and hour: darker is more, the count in the cell."""

    def __init__(
        self, object_name: str, title: str, role: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(object_name, title, parent)
        self.role = role
        self.cells: tuple[tuple[int, ...], ...] = tuple((0,) * 24 for _ in range(7))
        self._grid = QRectF()

    def set_cells(self, cells: tuple[tuple[int, ...], ...]) -> None:
        self.cells = cells
        self.update()

    def paint_plot(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        left = metrics.horizontalAdvance("Wed") + 10
        grid = area.adjusted(left, metrics.height() + 4, 0, 0)
        self._grid = grid
        width, height = grid.width() / 24, grid.height() / 7
        peak = max((max(row) for row in self.cells), default=0) or 1
        base = self.colour(self.role)
        background = self.palette().color(QPalette.ColorRole.Base)
        painter.setPen(self.text_colour())
        for hour in range(0, 24, 3):
            painter.drawText(QPointF(grid.left() + hour * width + 2, area.top() + metrics.ascent()),
                             f"{hour:02d}")  # fmt: skip
        for day in range(7):
            painter.setPen(self.text_colour())
            painter.drawText(QRectF(area.left(), grid.top() + day * height, left - 6, height),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             WEEKDAYS[day])  # fmt: skip
            for hour in range(24):
                value = self.cells[day][hour]
                share = value / peak
                cell = QRectF(grid.left() + hour * width, grid.top() + day * height, width - 1,
                              height - 1)  # fmt: skip
                painter.fillRect(
                    cell, _blend(background, base, 0.08 + 0.92 * share if value else 0.0)
                )
                if value and width > metrics.horizontalAdvance("999") + 2:
                    painter.setPen(background if share > 0.55 else self.text_colour())
                    painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, _short(value))

    def mark_at(self, point: QPointF) -> int | None:
        if not self._grid.contains(point):
            return None
        hour = int((point.x() - self._grid.left()) / (self._grid.width() / 24))
        day = int((point.y() - self._grid.top()) / (self._grid.height() / 7))
        return day * 24 + hour if 0 <= day < 7 and 0 <= hour < 24 else None


def _blend(background: QColor, colour: QColor, share: float) -> QColor:
    return QColor(
        round(background.red() + (colour.red() - background.red()) * share),
        round(background.green() + (colour.green() - background.green()) * share),
        round(background.blue() + (colour.blue() - background.blue()) * share),
    )


def _short(value: int) -> str:
    return f"{value / 1000:.1f}k" if value >= 1000 else str(value)
