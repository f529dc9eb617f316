from django import template

from councils.models import Region

from ..figures import computed_cqc_figures

register = template.Library()


@register.inclusion_tag("quality/includes/type_of_care_quality.html")
def type_of_care_quality(type_of_care, region=None):
    """Share of services of one type of care rated good or outstanding by CQC, per
    council, for the region and England, with numerator, denominator and source.
    For the market pages: ``{% type_of_care_quality type_of_care %}``."""
    region = region or Region.objects.order_by("pk").first()
    if region is None:
        return {"computed": None}
    computed = computed_cqc_figures(region=region, type_of_care=type_of_care)
    return {"computed": computed, "type_of_care": type_of_care}
