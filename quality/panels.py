"""What quality figures add to the council page."""

from councils import panels

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
