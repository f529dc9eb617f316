"""Computed "rated good or outstanding" figures for every council, region and England.

Council and region figures are counted from the care services directory (kept up
to date by CQC's ratings files); England's come from the counts the newest ratings
import took from every row of CQC's national file. Each figure carries its
numerator, denominator and source file's date.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from councils.models import Council, Region, TypeOfCare
from providers.models import (
    GOOD_RATINGS,
    JUDGED_RATINGS,
    RATED_COUNTS,
    CareService,
    CqcImport,
    Rating,
)

from .models import Setting, is_out_of_date

SETTINGS = [(Setting.CARE_HOMES, True), (Setting.COMMUNITY, False)]
COUNTED = " or ".join(Rating(r).label for r in GOOD_RATINGS)
OUT_OF = ", ".join(Rating(r).label for r in JUDGED_RATINGS)
METHOD = (
    f"Services rated {COUNTED} divided by services rated {OUT_OF}. Council and "
    "region figures count the CQC-registered services in this portal's directory; "
    "England's count every adult social care location in CQC's national ratings "
    "file. Services rated Not rated or Insufficient evidence to rate, with no "
    "rating, no longer on CQC's register, or marked as demo data are left out. "
    "A service is counted under each type of care its CQC service types belong to."
)


@dataclass
class Source:
    """Where a set of computed figures comes from, and as at when."""

    as_at: date | None
    description: str
    run: CqcImport | None = None

    @property
    def out_of_date(self) -> bool:
        return is_out_of_date(self.as_at)


@dataclass
class ComputedFigure:
    area: str
    area_type: str  # "council", "region" or "england"
    setting: str
    good: int
    judged: int
    source: Source
    type_of_care: str = ""
    gss_code: str = ""

    @property
    def percent(self) -> Decimal | None:
        if not self.judged:
            return None
        value = Decimal(self.good * 100) / Decimal(self.judged)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def as_at(self) -> date | None:
        return self.source.as_at

    @property
    def out_of_date(self) -> bool:
        return self.source.out_of_date


@dataclass
class FigureGroup:
    """One setting's or one type of care's figures, area by area."""

    title: str
    figures: list[ComputedFigure] = field(default_factory=list)
    setting: str = ""  # a Setting value, for the by-setting groups

    @property
    def any_rated(self) -> bool:
        return any(f.judged for f in self.figures)


@dataclass
class ComputedFigures:
    source: Source
    by_setting: list[FigureGroup] = field(default_factory=list)
    by_type_of_care: list[FigureGroup] = field(default_factory=list)
    method: str = METHOD

    @property
    def any_rated(self) -> bool:
        return any(f.judged for g in self.by_setting for f in g.figures)

    @property
    def rated_types(self) -> list[FigureGroup]:
        return [g for g in self.by_type_of_care if g.any_rated]

    @property
    def unrated_types(self) -> list[str]:
        return [g.title for g in self.by_type_of_care if not g.any_rated]

    def all(self) -> list[ComputedFigure]:
        return [f for g in self.by_setting + self.by_type_of_care for f in g.figures]


def figure_source() -> Source:
    """The newest ratings import, or else the newest rating in the directory."""
    run = CqcImport.objects.ratings().newest()
    if run is not None:
        return Source(
            run.produced_on,
            f"CQC's {run.get_kind_display().lower()} file produced on "
            f"{run.produced_on:%-d %B %Y}",
            run,
        )
    latest = CareService.objects.counted().aggregate(latest=Max("rating_published_on"))
    return Source(
        latest["latest"],
        "CQC ratings as recorded in this portal's directory (no CQC ratings file "
        "has been imported yet; the date is the newest rating's)",
    )


def _counts(services, *keys) -> dict[tuple, tuple[int, int]]:
    rows = services.counted().order_by().values(*keys).annotate(**RATED_COUNTS)
    return {tuple(row[k] for k in keys): (row["good"], row["judged"]) for row in rows}


def _sum(counts: dict, match) -> tuple[int, int]:
    pairs = [value for key, value in counts.items() if match(key)]
    return sum(g for g, _ in pairs), sum(j for _, j in pairs)


def computed_cqc_figures(
    *,
    region: Region,
    council: Council | None = None,
    councils: list[Council] | None = None,
    by_type_of_care: bool = False,
    type_of_care: TypeOfCare | None = None,
) -> ComputedFigures:
    """Figures for the council (or the ``councils``, or every council in the
    region), the region and England, per setting and, with ``by_type_of_care``,
    per type of care (or for ``type_of_care`` only). A fixed number of queries,
    whatever the number of councils and services."""
    source = figure_source()
    england = source.run.england if source.run else {}
    if council is not None:
        councils = [council]
    elif councils is None:
        councils = list(region.councils.order_by("name"))
    services = CareService.objects.filter(council__region=region)
    figures = ComputedFigures(source=source)

    def group(title, counts, key_of, england_key, type_of_care=""):
        rows = FigureGroup(title, setting="" if type_of_care else england_key)
        for c in councils:
            good, judged = counts.get(key_of(c.pk), (0, 0))
            rows.figures.append(
                ComputedFigure(
                    c.name,
                    "council",
                    title,
                    good,
                    judged,
                    source,
                    type_of_care,
                    c.gss_code,
                )
            )
        good, judged = _sum(counts, lambda k: key_of(None)[1:] == k[1:])
        rows.figures.append(
            ComputedFigure(
                region.name,
                "region",
                title,
                good,
                judged,
                source,
                type_of_care,
                region.gss_code,
            )
        )
        if england_key in england:
            counted = england[england_key]
            rows.figures.append(
                ComputedFigure(
                    "England",
                    "england",
                    title,
                    counted["good"],
                    counted["judged"],
                    source,
                    type_of_care,
                    "E92000001",
                )
            )
        return rows

    by_setting = _counts(services, "council_id", "care_home")
    for setting, care_home in SETTINGS:
        figures.by_setting.append(
            group(
                Setting(setting).label,
                by_setting,
                lambda pk, care_home=care_home: (pk, care_home),
                setting.value,
            )
        )
    if by_type_of_care or type_of_care is not None:
        types = TypeOfCare.objects.filter(cqc_service_types__isnull=False).distinct()
        if type_of_care is not None:
            types = [type_of_care]
            services = services.filter(service_types__type_of_care=type_of_care)
        by_type = _counts(services, "council_id", "service_types__type_of_care_id")
        for kind in types:
            figures.by_type_of_care.append(
                group(
                    kind.name,
                    by_type,
                    lambda pk, t=kind.pk: (pk, t),
                    kind.slug,
                    kind.name,
                )
            )
    return figures
