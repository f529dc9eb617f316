"""Accessible SVG charts, laid out on the server so no JavaScript is needed.

Each chart carries a <title> and <desc> the template links with aria-labelledby,
prints each value and series name beside its mark (so colour is never the only
carrier of meaning), and is shown next to a table of the same numbers.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

WIDTH = 640
LABEL_HEIGHT = 28
BAR_HEIGHT = 24
BAR_GAP = 4
GROUP_GAP = 14
BAR_AREA = 380  # pixels for the largest value on the scale
TOP = 8


def percent(value: Decimal) -> str:
    return f"{value}%"


@dataclass
class Bar:
    series: str
    css: str
    value: Decimal | None
    y: int = 0
    width: int = 0
    shown: str = ""

    @property
    def text(self) -> str:
        return f"{self.shown or 'no figure'} {self.series}"

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 6

    @property
    def text_x(self) -> int:
        return self.width + 6


@dataclass
class BarGroup:
    label: str
    bars: list[Bar]
    label_y: int = 0


@dataclass
class BarChart:
    chart_id: str
    title: str
    summary: str
    groups: list[BarGroup] = field(default_factory=list)
    height: int = 0
    width: int = WIDTH
    bar_area: int = BAR_AREA
    bar_height: int = BAR_HEIGHT
    scale: str = "0% to 100%"

    @property
    def series(self) -> list[tuple[str, str]]:
        seen = {}
        for group in self.groups:
            for bar in group.bars:
                seen.setdefault(bar.css, bar.series)
        return [(css, name) for css, name in seen.items()]


def bar_chart(
    *,
    chart_id: str,
    title: str,
    summary: str,
    groups: list[BarGroup],
    maximum: Decimal = Decimal(100),
    formatter: Callable[[Decimal], str] = percent,
    scale: str = "0% to 100%",
) -> BarChart:
    """Lay out horizontal bars: a label line, then one bar per series, per group.

    Bars are drawn to scale from 0 to ``maximum``; ``formatter`` writes each value.
    """
    maximum = maximum or Decimal(1)
    y = TOP
    for group in groups:
        group.label_y = y + LABEL_HEIGHT - 8
        y += LABEL_HEIGHT
        for bar in group.bars:
            bar.y = y
            value = bar.value or Decimal(0)
            bar.width = round(float(value) / float(maximum) * BAR_AREA)
            bar.shown = "" if bar.value is None else formatter(bar.value)
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    return BarChart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        groups=groups,
        height=y,
        scale=scale,
    )


# Line charts: one line per area over time, projections dashed.
LINE_LEFT = 40  # room for the value axis labels
LINE_PLOT_RIGHT = 500
LINE_RIGHT = 340  # room for the labels at the end of each line
LINE_TOP = 40
LINE_PLOT_HEIGHT = 240
LINE_BOTTOM = 40


@dataclass
class Point:
    year: float
    value: Decimal
    shown: str
    projection: bool
    period: str = ""
    x: float = 0
    y: float = 0


@dataclass
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    projection: bool


@dataclass
class Line:
    series: str
    css: str
    points: list[Point]
    segments: list[Segment] = field(default_factory=list)

    @property
    def last(self) -> Point:
        return self.points[-1]


@dataclass
class LineChart:
    chart_id: str
    title: str
    summary: str
    lines: list[Line]
    ticks: list[tuple[float, str]]
    top_label: str = ""
    width: int = LINE_PLOT_RIGHT + LINE_RIGHT
    height: int = LINE_TOP + LINE_PLOT_HEIGHT + LINE_BOTTOM
    axis_y: int = LINE_TOP + LINE_PLOT_HEIGHT
    axis_x: int = LINE_LEFT - 8
    plot_top: int = LINE_TOP
    plot_right: int = LINE_PLOT_RIGHT
    has_projections: bool = False

    @property
    def series(self) -> list[tuple[str, str]]:
        return [(line.css, line.series) for line in self.lines]


def line_chart(
    *,
    chart_id: str,
    title: str,
    summary: str,
    lines: list[Line],
    formatter: Callable[[Decimal], str] = str,
) -> LineChart:
    """Lay out lines over time on one scale from 0 to the largest value.

    A segment that ends at a projected point is marked so the template draws it
    dashed; each line ends with its area's name and latest value in words, and
    the time axis is labelled with the periods as published.
    """
    points = [point for line in lines for point in line.points]
    first = min(point.year for point in points)
    last = max(point.year for point in points)
    span = (last - first) or 1
    top = max(point.value for point in points) or Decimal(1)
    plot_width = LINE_PLOT_RIGHT - LINE_LEFT - 16
    for line in lines:
        line.points.sort(key=lambda point: point.year)
        for point in line.points:
            point.x = round(LINE_LEFT + (point.year - first) / span * plot_width, 1)
            point.y = round(
                LINE_TOP + LINE_PLOT_HEIGHT * (1 - float(point.value) / float(top)), 1
            )
        line.segments = [
            Segment(a.x, a.y, b.x, b.y, projection=b.projection or a.projection)
            for a, b in zip(line.points, line.points[1:], strict=False)
        ]
    periods = sorted({(point.x, point.period) for point in points})
    step = max(1, round(len(periods) / 6))
    return LineChart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        lines=lines,
        ticks=periods[::step],
        top_label=formatter(top),
        has_projections=any(point.projection for point in points),
    )
