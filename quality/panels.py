"""What quality figures add to the council page."""

from councils import panels

from .models import CqcBenchmark


@panels.register(
    "council", order=30, template_name="quality/includes/council_quality.html"
)
def council_quality(council):
    """The council's latest CQC figures, with source and date, for its MPS page."""
    return {
        "council": council,
        "benchmarks": CqcBenchmark.objects.for_council(council)
        .latest()
        .select_related("council__region")
        .order_by("setting"),
    }
