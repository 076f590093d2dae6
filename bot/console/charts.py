"""Charts drawn on the server as SVG geometry (the templates turn it into <svg>): no script and no
CDN. Horizontal bars for figures per team, agent or step; stacked columns for volume per day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.reports.tables import cell_text

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 230
VALUE_WIDTH = 70
CHART_WIDTH = 640
COLUMNS_HEIGHT = 220
AXIS_HEIGHT = 36
COLUMNS_MARGIN = 24  # room for the first and last labels
VALUE_ROOM = 16  # above the tallest column, for its total
MOST_COLUMN_LABELS = 12  # past this many columns, only every n-th is labelled


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as written beside the bar ("—" when missing)
    y: int
    width: float
    highlight: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * (BAR_HEIGHT + BAR_GAP)

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    suffix: str = "",
    highlight: str | None = None,
    scale_to: float | None = None,
) -> BarChart:
    """One bar per (label, value), as long as its share of the largest (or of `scale_to`, e.g. 100
    for percentages); a missing value has no bar and reads "—"."""
    values = [value for _, value in items if value is not None]
    top = scale_to or max(values, default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label,
            value=value,
            text=cell_text(value, suffix),
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=0 if value is None else round(room * min(value, top) / top, 1),
            highlight=label == highlight,
        )
        for index, (label, value) in enumerate(items)
    ]
    return BarChart(bars)


@dataclass(frozen=True)
class Segment:
    series: int  # index into the chart's series (its colour)
    value: int
    y: float
    height: float


@dataclass(frozen=True)
class Column:
    label: str  # empty when there are too many columns to label them all
    total: int
    x: float
    width: float
    segments: list[Segment]


@dataclass(frozen=True)
class ColumnChart:
    series: list[str]
    columns: list[Column]
    top: int  # the value at the top of the plot
    width: int = CHART_WIDTH
    plot_height: int = COLUMNS_HEIGHT
    axis_height: int = AXIS_HEIGHT

    @property
    def height(self) -> int:
        return self.plot_height + self.axis_height


def stacked_columns(series: Sequence[str], columns: Sequence[tuple[str, Sequence[int]]]) -> ColumnChart:
    """One column per (label, values per series), stacked bottom-up in series order."""
    top = max((sum(values) for _, values in columns), default=0) or 1
    slot = (CHART_WIDTH - 2 * COLUMNS_MARGIN) / max(1, len(columns))
    label_every = -(-len(columns) // MOST_COLUMN_LABELS)
    drawn = []
    for index, (label, values) in enumerate(columns):
        base, segments = float(COLUMNS_HEIGHT), []
        for series_index, value in enumerate(values):
            height = round((COLUMNS_HEIGHT - VALUE_ROOM) * value / top, 1)
            base -= height
            if value:
                segments.append(Segment(series_index, value, round(base, 1), height))
        width = round(min(slot * 0.7, 48), 1)
        x = round(COLUMNS_MARGIN + index * slot + (slot - width) / 2, 1)
        shown = label if index % label_every == 0 else ""
        drawn.append(Column(shown, sum(values), x, width, segments))
    return ColumnChart(list(series), drawn, top)
