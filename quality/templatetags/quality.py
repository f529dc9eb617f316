from django import template

from ..models import CqcBenchmark

register = template.Library()


@register.inclusion_tag("quality/includes/council_quality.html")
def council_quality(council):
    """The council's latest CQC figures, with source and date, for its MPS page."""
    return {
        "council": council,
        "benchmarks": CqcBenchmark.objects.for_council(council)
        .latest()
        .select_related("council__region")
        .order_by("setting"),
    }
