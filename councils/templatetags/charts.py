"""The SVG charts of ``councils.charts``, written in one pass.

Each tag writes the markup of its template in ``templates/includes/``
(``bar_chart.html``, ``line_chart.html``, ``chart_key.html``), which stay as the
reference a test compares them with: an indicator page's charts carry some 300
coordinates, and writing each through a template variable (resolving it, then
``localize`` and escaping it) was a sixth of the page's time.
"""

import html

from django import template
from django.conf import settings
from django.utils import formats
from django.utils.safestring import mark_safe

register = template.Library()


class Numbers:
    """Numbers as ``{{ number }}`` writes them (``django.utils.formats.localize``
    in the current language), with the common case of no thousands separator
    written directly; ``localize`` writes the rest (grouping, exponents)."""

    def __init__(self):
        self.plain = not settings.USE_THOUSAND_SEPARATOR
        self.decimal = formats.get_format("DECIMAL_SEPARATOR")

    def __call__(self, number) -> str:
        if self.plain and type(number) is int:
            return str(number)
        if self.plain and type(number) is float:
            text = str(number)
            if "e" not in text:
                return text.replace(".", self.decimal)
        return str(formats.localize(number))


def escape(value) -> str:
    """``{{ value }}`` of text: escaped unless it is marked safe
    (``conditional_escape``, without its lazy-string wrapper)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def add(number, other: int):
    """``{{ number|add:other }}``: Django's ``add`` filter makes both ints first."""
    return int(number) + other


BAR_CHART = """
<figure class="govuk-!-margin-0 govuk-!-margin-bottom-6">
  <svg class="app-chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-labelledby="{id}-title {id}-desc">
    <title id="{id}-title">{title}</title>
    <desc id="{id}-desc">{summary}</desc>
    {groups}
    <line class="app-chart__axis" x1="0" y1="0" x2="0" y2="{height}"></line>
  </svg>
  <figcaption class="govuk-body-s">{title}. {summary}. Bars are drawn to scale, {scale}.</figcaption>
</figure>
"""  # noqa: E501 - the markup as the page gives it
BAR_GROUP = """
      <text class="app-chart__label" x="0" y="{y}" font-weight="bold">{label}</text>
      {bars}
    """
BAR = """
        <rect class="app-chart__bar--{css}" x="0" y="{y}" width="{width}" height="{height}"></rect>
        <text class="app-chart__label" x="{text_x}" y="{text_y}">{text}</text>
      """  # noqa: E501 - the markup as the page gives it


@register.simple_tag
def bar_chart(chart):
    """A ``councils.charts.BarChart``: the markup of ``includes/bar_chart.html``."""
    number = Numbers()
    bar_height = number(chart.bar_height)
    groups = "".join(
        BAR_GROUP.format(
            y=number(group.label_y),
            label=escape(group.label),
            bars="".join(
                BAR.format(
                    css=escape(bar.css),
                    y=number(bar.y),
                    width=number(bar.width),
                    height=bar_height,
                    text_x=number(bar.text_x),
                    text_y=number(bar.text_y),
                    text=escape(bar.text),
                )
                for bar in group.bars
            ),
        )
        for group in chart.groups
    )
    return mark_safe(  # noqa: S308 - every value is escaped or a number
        BAR_CHART.format(
            width=number(chart.width),
            height=number(chart.height),
            id=escape(chart.chart_id),
            title=escape(chart.title),
            summary=escape(chart.summary),
            groups=groups,
            scale=escape(chart.scale),
        )
    )


LINE_CHART = """
<figure class="govuk-!-margin-0 govuk-!-margin-bottom-6">
  <svg class="app-chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-labelledby="{id}-title {id}-desc">
    <title id="{id}-title">{title}</title>
    <desc id="{id}-desc">{summary}</desc>
    <line class="app-chart__axis" x1="{axis_x}" y1="{axis_y}" x2="{plot_right}" y2="{axis_y}"></line>
    <line class="app-chart__axis" x1="{axis_x}" y1="{plot_top}" x2="{axis_x}" y2="{axis_y}"></line>
    <text class="app-chart__label" x="{top_x}" y="{top_y}">{top_label}</text>
    <text class="app-chart__label" x="{zero_x}" y="{axis_y}" text-anchor="end">0</text>
    {ticks}
    {lines}
  </svg>
  <figcaption class="govuk-body-s">{title}. {summary}. The scale runs from 0 to {top_label}.{projections}</figcaption>
</figure>
"""  # noqa: E501 - the markup as the page gives it
LINE_TICK = """
      <text class="app-chart__label" x="{x}" y="{y}" text-anchor="middle">{label}</text>
    """
LINE = """
      {segments}
      {points}
      <text class="app-chart__label" x="{x}" y="{y}">{series}: {shown}</text>
    """
LINE_SEGMENT = """
        <line class="app-chart__line app-chart__line--{css}{projection}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"></line>
      """  # noqa: E501 - the markup as the page gives it
LINE_POINT = """
        <circle class="app-chart__point app-chart__point--{css}{projection}" cx="{x}" cy="{y}" r="5"></circle>
      """  # noqa: E501 - the markup as the page gives it
PROJECTED_SEGMENT = " app-chart__line--projection"
PROJECTED_POINT = " app-chart__point--projection"
PROJECTIONS = " Dashed lines and hollow points are projections, not counts."


@register.simple_tag
def line_chart(chart):
    """A ``councils.charts.LineChart``: the markup of ``includes/line_chart.html``."""
    number = Numbers()
    axis_y = number(chart.axis_y)
    tick_y = number(add(chart.axis_y, 24))
    ticks = "".join(
        LINE_TICK.format(x=number(x), y=tick_y, label=escape(label))
        for x, label in chart.ticks
    )
    lines = []
    for line in chart.lines:
        css = escape(line.css)
        segments = "".join(
            LINE_SEGMENT.format(
                css=css,
                projection=PROJECTED_SEGMENT if segment.projection else "",
                x1=number(segment.x1),
                y1=number(segment.y1),
                x2=number(segment.x2),
                y2=number(segment.y2),
            )
            for segment in line.segments
        )
        points = "".join(
            LINE_POINT.format(
                css=css,
                projection=PROJECTED_POINT if point.projection else "",
                x=number(point.x),
                y=number(point.y),
            )
            for point in line.points
        )
        last = line.last
        lines.append(
            LINE.format(
                segments=segments,
                points=points,
                x=number(add(last.x, 10)),
                y=number(last.y),
                series=escape(line.series),
                shown=escape(last.shown),
            )
        )
    return mark_safe(  # noqa: S308 - every value is escaped or a number
        LINE_CHART.format(
            width=number(chart.width),
            height=number(chart.height),
            id=escape(chart.chart_id),
            title=escape(chart.title),
            summary=escape(chart.summary),
            axis_x=number(chart.axis_x),
            axis_y=axis_y,
            plot_right=number(chart.plot_right),
            plot_top=number(chart.plot_top),
            top_x=number(add(chart.axis_x, 6)),
            top_y=number(add(chart.plot_top, -8)),
            top_label=escape(chart.top_label),
            zero_x=number(add(chart.axis_x, -4)),
            ticks=ticks,
            lines="".join(lines),
            projections=PROJECTIONS if chart.has_projections else "",
        )
    )


CHART_KEY = '\n<ul class="app-chart-key govuk-body-s">\n  {}\n</ul>\n'
CHART_KEY_ITEM = (
    '<li><span class="app-chart-key__swatch app-chart-key__swatch--{css}"></span>'
    "{name}</li>"
)


@register.simple_tag
def chart_key(chart):
    """A chart's key: the markup of ``includes/chart_key.html``."""
    return mark_safe(  # noqa: S308 - every value is escaped
        CHART_KEY.format(
            "".join(
                CHART_KEY_ITEM.format(css=escape(css), name=escape(name))
                for css, name in chart.series
            )
        )
    )
