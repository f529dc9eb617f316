"""Accessible SVG bar charts, laid out on the server so no JavaScript is needed.

Each chart carries a <title> and <desc> the template links with aria-labelledby,
prints each bar's value and series name beside the bar (so colour is never the
only carrier of meaning), and is shown next to a table of the same numbers.
"""

from dataclasses import dataclass, field
from decimal import Decimal

WIDTH = 640
LABEL_HEIGHT = 28
BAR_HEIGHT = 24
BAR_GAP = 4
GROUP_GAP = 14
BAR_AREA = 380  # pixels for 100%
TOP = 8


@dataclass
class Bar:
    series: str
    css: str
    value: Decimal | None
    y: int = 0
    width: int = 0

    @property
    def text(self) -> str:
        shown = "no figure" if self.value is None else f"{self.value}%"
        return f"{shown} {self.series}"

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

    @property
    def series(self) -> list[tuple[str, str]]:
        seen = {}
        for group in self.groups:
            for bar in group.bars:
                seen.setdefault(bar.css, bar.series)
        return [(css, name) for css, name in seen.items()]


def bar_chart(
    *, chart_id: str, title: str, summary: str, groups: list[BarGroup]
) -> BarChart:
    """Lay out horizontal bars: a label line, then one bar per series, per group."""
    y = TOP
    for group in groups:
        group.label_y = y + LABEL_HEIGHT - 8
        y += LABEL_HEIGHT
        for bar in group.bars:
            bar.y = y
            value = bar.value or Decimal(0)
            bar.width = round(float(value) / 100 * BAR_AREA)
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    return BarChart(
        chart_id=chart_id, title=title, summary=summary, groups=groups, height=y
    )
