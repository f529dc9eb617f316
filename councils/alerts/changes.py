"""The base app's own alert source: major changes to councils' MPS (the public
"What changed" log)."""

from django.db.models import Q

from ..filters import ChangeFilter
from ..models import Publication
from . import sources


def changed(start, end):
    return (
        Publication.objects.public()
        # The MPS itself; feature apps' content (arrangements) has its own alerts.
        .filter(content_type__app_label="councils")
        .filter(Q(publish_at__gte=start) & Q(publish_at__lt=end))
        .select_related("council")
        .order_by("publish_at", "pk")
    )


def item(change: Publication) -> sources.Item:
    return sources.Item(
        key=f"mps-changes:{change.pk}",
        title=change.title,
        url=change.url,
        summary=f"{change.council.name}: {change.note or 'Updated'}",
        happened_at=change.publish_at,
    )


def register() -> None:
    sources.register(
        "mps-changes",
        label="Changes to Market Position Statements",
        finder="councils:change-list",
        filterset=ChangeFilter,
        changed=changed,
        item=item,
        topics={"council": "council", "type_of_care": "type_of_care"},
    )
