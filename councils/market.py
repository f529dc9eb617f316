"""The market pages' figures: tables, charts and one-sentence summaries of
indicators, built from querysets so each page runs a fixed number of queries."""

from dataclasses import dataclass
from decimal import Decimal

from .charts import Bar, BarGroup, Line, Point, bar_chart, line_chart
from .models import Indicator, IndicatorValue

AREA_CSS = {0: "council", 1: "region", 2: "england"}
COUNCIL_LINE_CSS = ["council", "council-2", "council-3", "council-4"]
MAX_COUNCIL_LINES = 4


def comparison_summary(indicator: Indicator, values: list[IndicatorValue]) -> str:
    """One sentence: the highest and lowest council, and the comparators."""
    councils = [v for v in values if v.council_id]
    comparators = [v for v in values if not v.council_id]
    if not councils and comparators:
        # Regions and England only (no council chosen among too many to show).
        return "; ".join(f"{v.area_name} {v.formatted}" for v in comparators) + "."
    if not councils:
        return (
            f"No council has a figure for {indicator.name.lower()} on the portal yet."
        )
    against = (
        " against " + " and ".join(f"{v.area_name} {v.formatted}" for v in comparators)
        if comparators
        else ""
    )
    if len(councils) == 1:
        only = councils[0]
        return f"{only.council.name}: {only.formatted} ({only.period_label}){against}."
    highest = max(councils, key=lambda v: v.value)
    lowest = min(councils, key=lambda v: v.value)
    parts = [
        f"Of {len(councils)} council{'s' if len(councils) != 1 else ''} with a "
        f"figure, {highest.council.name} has the highest ({highest.formatted}, "
        f"{highest.period_label})"
    ]
    if lowest.pk != highest.pk:
        parts.append(f"{lowest.council.name} the lowest ({lowest.formatted})")
    return ", ".join(parts) + against + "."


def comparison_chart(indicator: Indicator, values: list[IndicatorValue]):
    """Bars for each council's latest figure, then the region and England."""
    if not values:
        return None
    maximum = max(v.value for v in values) or Decimal(1)
    groups = [
        BarGroup(
            label=v.area_name,
            bars=[Bar(f"({v.period_label})", AREA_CSS[v.area_rank], v.value)],
        )
        for v in values
    ]
    return bar_chart(
        chart_id=f"compare-{indicator.slug}",
        title=f"{indicator.name}: latest figure by area",
        summary=comparison_summary(indicator, values).rstrip("."),
        groups=groups,
        maximum=maximum,
        formatter=indicator.format,
        scale=f"from 0 to {indicator.format(maximum)}",
    )


def time_chart(indicator: Indicator, series: list[IndicatorValue]):
    """Lines over time for areas with two or more figures, projections dashed.

    ``series`` is in comparison order (councils, region, England); at most four
    councils are drawn, the region and England always.
    """
    by_area: dict[str, list[IndicatorValue]] = {}
    for value in series:
        by_area.setdefault(value.area_code, []).append(value)
    lines = []
    councils_drawn = 0
    for values in by_area.values():
        if len(values) < 2:
            continue
        values = sorted(values, key=lambda v: v.year)
        first = values[0]
        if first.council_id:
            if councils_drawn == MAX_COUNCIL_LINES:
                continue
            css = COUNCIL_LINE_CSS[councils_drawn]
            councils_drawn += 1
        else:
            css = AREA_CSS[first.area_rank]
        lines.append(
            Line(
                series=first.area_name,
                css=css,
                points=[
                    Point(v.year, v.value, v.formatted, v.is_projection, v.period)
                    for v in values
                ],
            )
        )
    if not lines:
        return None
    described = []
    for line in lines:
        start, end = line.points[0], line.points[-1]
        described.append(
            f"{line.series} from {start.shown} to {end.shown}"
            + (" (projected)" if end.projection else "")
        )
    return line_chart(
        chart_id=f"over-time-{indicator.slug}",
        title=f"{indicator.name} over time",
        summary="; ".join(described),
        lines=lines,
        formatter=indicator.format,
    )


@dataclass
class GlanceRow:
    """One indicator in "The market at a glance": the council's figure beside its
    region's and England's for the same kind of period (actual or projected)."""

    indicator: Indicator
    council: IndicatorValue | None = None
    region: IndicatorValue | None = None
    england: IndicatorValue | None = None

    @property
    def main(self) -> IndicatorValue:
        return self.council or self.region or self.england


TOPIC_RANK = {topic: number for number, topic in enumerate(Indicator.Topic.values)}


def in_topic_order(figures) -> list[IndicatorValue]:
    """Figures in comparison order (``in_comparison_order``), their indicators'
    topics in the declared order (demand, supply, workforce, spend, outcomes: as
    the indicator list and an MPS give them) rather than by the topics' stored
    values: a stable sort of the rows the database gave. Sorting by the declared
    order in the query (a CASE) cost the market page's figures query about a
    quarter of its database time (2.3 to 2.9 ms)."""
    return sorted(figures, key=lambda figure: TOPIC_RANK[figure.indicator.topic])


def glance_rows(figures) -> list[GlanceRow]:
    """Figures in comparison order, one row per indicator and kind of period."""
    rows: dict[tuple, GlanceRow] = {}
    for figure in figures:
        key = (figure.indicator_id, figure.is_projection)
        row = rows.setdefault(key, GlanceRow(figure.indicator))
        setattr(row, AREA_CSS[figure.area_rank], figure)
    return list(rows.values())
