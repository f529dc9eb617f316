"""Email alerts on CQC rating changes in the directory (councils.alerts)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from councils.alerts import sources

from .filters import CareServiceFilter
from .models import CareService


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def changed_ratings(start, end):
    """Services whose current rating CQC published on a day that starts in the
    window (the ratings file gives a date, not a time)."""
    first = timezone.localdate(start)
    if _midnight(first) < start:
        first += timedelta(days=1)
    last = timezone.localdate(end)
    if _midnight(last) >= end:
        last -= timedelta(days=1)
    return (
        CareService.objects.public()
        .filter(rating_published_on__gte=first, rating_published_on__lte=last)
        .exclude(rating="")
        .select_related("council")
    )


def rating_item(service: CareService) -> sources.Item:
    return sources.Item(
        key=f"directory:{service.pk}:{service.rating}:{service.rating_published_on}",
        title=service.name,
        url=service.get_absolute_url(),
        summary=f"CQC rated it {service.get_rating_display()} on "
        f"{service.rating_published_on:%-d %B %Y} ({service.council.name})",
        # CQC gives only the day: counted as the day's end, so a rating published
        # on the day someone subscribes reaches them.
        happened_at=_midnight(service.rating_published_on + timedelta(days=1))
        - timedelta(microseconds=1),
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
