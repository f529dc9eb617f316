"""What the care services directory adds to market pages."""

from councils import panels

from .models import CareService


@panels.register(
    "market", order=60, template_name="providers/includes/market_services.html"
)
def market_services(*, type_of_care, councils):
    """Services in the directory for this type of care, and how CQC rates them."""
    return {
        "type_of_care": type_of_care,
        "councils": councils,
        "summaries": CareService.objects.filter(council__in=councils)
        .for_type_of_care(type_of_care)
        .market_summary_by_council(),
    }
