"""What quality figures add to the council page."""

from councils import panels
from councils.models import Region

from .figures import computed_cqc_figures, market_quality
from .models import CqcBenchmark


@panels.register(
    "council", order=30, template_name="quality/includes/council_quality.html"
)
def council_quality(council):
    """The council's CQC figures worked out from CQC's files (council, region and
    England, with method and the file's date), and beside them the figures the
    council published itself, where it has."""
    computed = computed_cqc_figures(council=council, region=council.region)
    own = {
        b.setting: b
        for b in CqcBenchmark.objects.for_council(council).newest_by_setting()
    }
    return {
        "council": council,
        "computed": computed,
        "rows": [(group, own.get(group.setting)) for group in computed.by_setting],
        "benchmarks": list(own.values()),
    }


@panels.register(
    "market", order=60, template_name="quality/includes/market_quality.html"
)
def market_quality_panel(*, type_of_care, councils):
    """One table for this type of care: the chosen councils, their region and
    England, with the services in the directory, the share rated good or
    outstanding by CQC (numerator, denominator, method, the file's date) and each
    council's own published figure where it has one."""
    councils = sorted(councils, key=lambda council: council.name)
    if not councils:
        return None
    region = Region.objects.get(pk=councils[0].region_id)
    return {
        "quality": market_quality(
            type_of_care=type_of_care, councils=councils, region=region
        ),
        "type_of_care": type_of_care,
    }
