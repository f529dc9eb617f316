"""Email alerts on new and changed tenders and arrangements (councils.alerts)."""

from datetime import timedelta

from django.db.models import Q

from councils.alerts import sources

from .filters import ArrangementFilter, TenderFilter
from .models import Arrangement, Tender

# A tender saved within this of going live is new, not changed.
_SAME_SAVE = timedelta(minutes=1)


def changed_tenders(start, end):
    """Tenders that went live, or were changed while live, in the window: the
    live copies readers see (a live copy's ``updated_at`` is when it went live),
    never a working copy's unpublished edits."""
    return (
        Tender.live.visible()
        .filter(
            Q(published_at__gte=start, published_at__lt=end)
            | Q(updated_at__gte=start, updated_at__lt=end, published_at__lt=end)
        )
        .select_related("council")
    )


def tender_item(tender: Tender) -> sources.Item:
    happened_at = max(tender.published_at, tender.updated_at)
    new = tender.updated_at - tender.published_at < _SAME_SAVE
    return sources.Item(
        key=f"tenders:{tender.pk}:{happened_at.isoformat()}",
        title=tender.title,
        url=tender.get_absolute_url(),
        summary=f"{'New' if new else 'Updated'} tender from {tender.council.name} "
        f"({tender.get_status_display().lower()})",
        happened_at=happened_at,
    )


def changed_arrangements(start, end):
    """Arrangements published (first or again) in the window."""
    return Arrangement.live.filter(
        publish_at__gte=start, publish_at__lt=end
    ).select_related("council")


def arrangement_item(arrangement: Arrangement) -> sources.Item:
    new = arrangement.first_published_at == arrangement.publish_at
    return sources.Item(
        key=f"arrangements:{arrangement.live_of_id}:{arrangement.publish_at.isoformat()}",
        title=arrangement.name,
        url=arrangement.get_absolute_url(),
        summary=f"{'New' if new else 'Updated'} "
        f"{arrangement.get_kind_display().lower()} from {arrangement.council.name}",
        happened_at=arrangement.publish_at,
    )


def register() -> None:
    topics = {"council": "council", "type_of_care": "type_of_care"}
    sources.register(
        "tenders",
        label="Tender opportunities",
        finder="tenders:tender-list",
        filterset=TenderFilter,
        changed=changed_tenders,
        item=tender_item,
        topics=topics,
    )
    sources.register(
        "arrangements",
        label="Contracting arrangements",
        finder="tenders:arrangement-list",
        filterset=ArrangementFilter,
        changed=changed_arrangements,
        item=arrangement_item,
        topics=topics,
    )
