"""Figures the quality pages show: computed CQC figures and RAG summary tables."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from councils.models import Council, Region
from providers.models import GOOD_RATINGS, JUDGED_RATINGS, CareService, Rating

from .models import Assessment, RagStatus, Setting, is_out_of_date

SETTING_QUERYSETS = {
    Setting.CARE_HOMES: CareService.objects.care_homes,
    Setting.COMMUNITY: CareService.objects.community_based,
}
METHOD = (
    "Worked out from this portal's care services directory: CQC-registered services "
    "rated {good} divided by those rated {judged}. Services rated Not rated, with "
    "no rating recorded, not regulated by CQC, or marked as demo data are left out."
).format(
    good=" or ".join(Rating(r).label for r in GOOD_RATINGS),
    judged=", ".join(Rating(r).label for r in JUDGED_RATINGS),
)


@dataclass
class ComputedFigure:
    """One "rated good or outstanding" figure counted from the directory."""

    area: str
    setting: str
    good: int
    judged: int
    as_at: date | None

    @property
    def percent(self) -> Decimal | None:
        if not self.judged:
            return None
        value = Decimal(self.good * 100) / Decimal(self.judged)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def out_of_date(self) -> bool:
        return is_out_of_date(self.as_at)


class ComputedFigures(list):
    """A page's computed figures: the areas they cover, whether any has ratings."""

    @property
    def any_rated(self) -> bool:
        return any(figure.judged for figure in self)

    @property
    def areas(self) -> list[str]:
        return list(dict.fromkeys(figure.area for figure in self))


def computed_cqc_figures(*, council: Council | None = None, region: Region):
    """Figures per setting for the council (if given) and its region."""
    figures = ComputedFigures()
    for setting, services in SETTING_QUERYSETS.items():
        areas = [(region.name, services().filter(council__region=region))]
        if council is not None:
            areas.insert(0, (council.name, services().for_council(council)))
        for area, queryset in areas:
            counts = queryset.rating_summary()
            figures.append(
                ComputedFigure(
                    area=area,
                    setting=Setting(setting).label,
                    good=counts["good"],
                    judged=counts["judged"],
                    as_at=counts["latest"],
                )
            )
    return figures


@dataclass
class RagSummary:
    """Services by latest RAG status and service type, as in Gateshead's tables."""

    statuses: list = field(default_factory=lambda: list(RagStatus))
    rows: list = field(default_factory=list)
    totals: list = field(default_factory=list)
    services: int = 0
    latest: date | None = None
    includes_demo: bool = False


def rag_summary(*, council: Council) -> RagSummary:
    """Count each service's latest assessment by RAG status and service type.

    A service with more than one service type is counted under each; the totals
    row counts each service once.
    """
    assessments = (
        Assessment.objects.for_council(council)
        .latest_per_service()
        .with_scores()
        .select_related("service")
        .prefetch_related("service__service_types")
    )
    summary = RagSummary()
    by_type: dict[str, Counter] = {}
    overall: Counter = Counter()
    for assessment in assessments:
        overall[assessment.rag] += 1
        summary.services += 1
        summary.includes_demo |= assessment.service.is_demo
        if summary.latest is None or assessment.assessed_on > summary.latest:
            summary.latest = assessment.assessed_on
        types = [t.name for t in assessment.service.service_types.all()]
        if not types and assessment.service.extra_care_type:
            types = ["Extra care housing"]
        for name in types or ["Type not recorded"]:
            by_type.setdefault(name, Counter())[assessment.rag] += 1
    summary.rows = [
        (name, [counts[s] for s in summary.statuses], sum(counts.values()))
        for name, counts in sorted(by_type.items())
    ]
    summary.totals = [overall[s] for s in summary.statuses]
    return summary
