"""Email alerts on CQC rating changes in the directory (councils.alerts)."""

from councils.alerts import sources

from .filters import CareServiceFilter
from .models import CareService


def changed_ratings(start, end):
    """Services whose current rating the portal recorded (imported from CQC, or
    entered) in the window, however long before that CQC published it."""
    return (
        CareService.objects.public()
        .filter(rating_recorded_at__gte=start, rating_recorded_at__lt=end)
        .exclude(rating="")
        .select_related("council")
    )


def rating_item(service: CareService) -> sources.Item:
    return sources.Item(
        key=f"directory:{service.pk}:{service.rating}:{service.rating_published_on}",
        title=service.name,
        url=service.get_absolute_url(),
        summary=f"CQC rated it {service.get_rating_display()}"
        + (
            f" on {service.rating_published_on:%-d %B %Y}"
            if service.rating_published_on
            else ""
        )
        + f" ({service.council.name})",
        happened_at=service.rating_recorded_at,
    )


def register() -> None:
    sources.register(
        "directory",
        label="CQC ratings in the care services directory",
        finder="providers:service-list",
        filterset=CareServiceFilter,
        changed=changed_ratings,
        item=rating_item,
        topics={"council": "council"},
    )
