"""Computed "rated good or outstanding" figures for every council, region and England.

Council and region figures are counted from the care services directory (kept up
to date by CQC's ratings files); England's come from the counts the newest ratings
import took from every row of CQC's national file. Each figure carries its
numerator, denominator and source file's date.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, Max

from councils.models import Council, Region, TypeOfCare
from councils.pagecache import versioned_key
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
# Counts are kept per content version (``region_counts``); this only bounds how
# long an entry nobody asks for again takes cache space.
COUNTED_SECONDS = 3600
COUNTED = " or ".join(Rating(r).label for r in GOOD_RATINGS)
OUT_OF = ", ".join(Rating(r).label for r in JUDGED_RATINGS)
METHOD = (
    f"Services rated {COUNTED} divided by services rated {OUT_OF}. Council and "
    "region figures count the CQC-registered services in this portal's directory; "
    "England's count every adult social care location in the national CQC file "
    "imported last (the latest ratings or the care directory with filters). "
    "Services rated Not rated or Insufficient evidence to rate, with no "
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


def region_counts(
    region: Region, *, by_type_of_care: bool, type_of_care: TypeOfCare | None
) -> tuple[Source, dict, dict | None]:
    """The figures' source, and the region's rated services counted by council
    and setting (and by council and type of care when asked for), worked out once
    per content version and kept in the shared cache: the directory and CQC
    imports are public content, so any write to them makes a new version
    (``councils.pagecache.versioned_key``) and what is kept is exactly what
    counting again would give. Every council of the region shares the entry."""
    key = versioned_key(
        "quality:counted",
        region.pk,
        by_type_of_care,
        type_of_care.pk if type_of_care else None,
    )
    found = cache.get(key)
    if found is None:
        services = CareService.objects.filter(council__region=region)
        by_type = None
        if by_type_of_care or type_of_care is not None:
            of_type = services
            if type_of_care is not None:
                of_type = services.filter(service_types__type_of_care=type_of_care)
            by_type = _counts(of_type, "council_id", "service_types__type_of_care_id")
        found = (
            figure_source(),
            _counts(services, "council_id", "care_home"),
            by_type,
        )
        cache.set(key, found, timeout=COUNTED_SECONDS)
    return found


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
    source, by_setting, by_type = region_counts(
        region, by_type_of_care=by_type_of_care, type_of_care=type_of_care
    )
    england = source.run.england if source.run else {}
    if council is not None:
        councils = [council]
    elif councils is None:
        councils = list(region.councils.order_by("name"))
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


# The quality setting a type of care's services are counted under, for the
# council's own published figures (which are per setting, not per type of care).
OWN_FIGURE_SETTINGS = {
    TypeOfCare.Setting.CARE_HOME: Setting.CARE_HOMES,
    TypeOfCare.Setting.COMMUNITY: Setting.COMMUNITY,
}


@dataclass
class MarketQualityRow:
    """One area's line in a market page's quality table."""

    figure: ComputedFigure
    services: int | None = None  # in the directory; None for England
    own: object = None  # the council's own CqcBenchmark for the setting, if any
    council: Council | None = None


@dataclass
class MarketQuality:
    """One type of care's services and CQC figures for the chosen councils, their
    region and England, with the councils' own published figures beside them."""

    computed: ComputedFigures
    rows: list[MarketQualityRow]
    own_setting: str = ""  # the Setting label the own figures are for

    @property
    def any_rated(self) -> bool:
        return any(row.figure.judged for row in self.rows)

    @property
    def any_services(self) -> bool:
        return any(row.services for row in self.rows)

    @property
    def own_figures(self) -> list:
        return [row.own for row in self.rows if row.own is not None]


def market_quality(
    *, type_of_care: TypeOfCare, councils: list[Council], region: Region
) -> MarketQuality:
    """The market page's one quality table: for each council, the region and
    England, the services in the directory and the share rated good or
    outstanding (numerator, denominator, the file's date), and the council's own
    published figure for the setting where it has one. A fixed number of queries,
    whatever the number of councils and services."""
    from .models import CqcBenchmark

    computed = computed_cqc_figures(
        region=region, councils=councils, type_of_care=type_of_care
    )
    services = CareService.objects.for_type_of_care(type_of_care)
    by_council = {
        row["council_id"]: row["services"]
        for row in services.filter(council__in=councils)
        .order_by()
        .values("council_id")
        .annotate(services=Count("pk"))
    }
    in_region = services.filter(council__region=region).count()
    setting = OWN_FIGURE_SETTINGS.get(type_of_care.setting)
    own = {}
    if setting is not None:
        own = {
            b.council_id: b
            for b in CqcBenchmark.objects.filter(council__in=councils, setting=setting)
            .latest()
            .order_by()
        }
    figures = computed.by_type_of_care[0].figures if computed.by_type_of_care else []
    rows = []
    for figure in figures:
        if figure.area_type == "council":
            council = councils[len(rows)]
            rows.append(
                MarketQualityRow(
                    figure, by_council.get(council.pk, 0), own.get(council.pk), council
                )
            )
        elif figure.area_type == "region":
            rows.append(MarketQualityRow(figure, in_region))
        else:
            rows.append(MarketQualityRow(figure))
    return MarketQuality(
        computed=computed,
        rows=rows,
        own_setting=Setting(setting).label if setting else "",
    )
