"""What quality figures add to the council page."""

from councils import panels
from councils.models import Region

from .figures import computed_cqc_figures
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
        for b in CqcBenchmark.objects.for_council(council).latest().order_by("setting")
    }
    return {
        "council": council,
        "computed": computed,
        "rows": [(group, own.get(group.setting)) for group in computed.by_setting],
        "benchmarks": list(own.values()),
    }


@panels.register(
    "market", order=65, template_name="quality/includes/market_quality.html"
)
def market_quality(*, type_of_care, councils):
    """The share of this type of care's services rated good or outstanding by CQC
    for the chosen councils, their region and England, with method and source."""
    councils = sorted(councils, key=lambda council: council.name)
    if not councils:
        return None
    region = Region.objects.get(pk=councils[0].region_id)
    return {
        "computed": computed_cqc_figures(
            region=region, councils=councils, type_of_care=type_of_care
        ),
        "type_of_care": type_of_care,
    }
