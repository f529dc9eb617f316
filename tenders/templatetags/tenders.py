"""Tender pieces for other apps' pages: the council page and the home page."""

from django import template

from ..models import Arrangement, Tender, TenderPipeline

register = template.Library()


@register.inclusion_tag("tenders/includes/council_pipeline.html")
def council_pipeline(council):
    """The council's planned and open procurements, as in its MPS appendix."""
    return {
        "council": council,
        "pipeline": TenderPipeline.objects.filter(council=council).first(),
        "tenders": Tender.objects.for_council(council)
        .in_pipeline()
        .soonest()
        .select_related("council"),
    }


@register.inclusion_tag("tenders/includes/upcoming_tenders.html")
def upcoming_tenders(limit=5):
    """What is coming up next across the region, soonest first."""
    return {
        "tenders": Tender.objects.upcoming()
        .select_related("council")
        .prefetch_related("types_of_care")[:limit]
    }


@register.inclusion_tag("tenders/includes/council_arrangements.html")
def council_arrangements(council):
    """The council's frameworks, spot contracts and panels open to join now."""
    return {
        "council": council,
        "arrangements": Arrangement.objects.for_council(council)
        .open_to_join()
        .select_related("council"),
    }
