"""How tenders and arrangements become site search documents (``councils.search``)."""

from councils import search
from councils.documents import markdown_text, words

from .models import Arrangement, Tender


def _names(related) -> str:
    return ", ".join(str(item) for item in related.all())


@search.register(
    "tender",
    label="Tender opportunities",
    order=20,
    # Live copies: what readers see (working copies are edited in the admin);
    # never a withdrawn one, nor one without a publish time.
    indexed=lambda: (
        Tender.objects.every_copy()
        .filter(
            live_of__isnull=False, publish_at__isnull=False, published_at__isnull=False
        )
        .exclude(status=Tender.Status.WITHDRAWN)
        .with_next_copy_at()
        .select_related("council")
        .prefetch_related("types_of_care", "client_groups")
    ),
    visible=lambda: Tender.live.visible(),
    model=Tender,
    related=("types_of_care", "client_groups"),
    family="live_of",
)
def tender_document(tender: Tender) -> search.Document:
    return search.Document(
        title=tender.title,
        body=words(
            tender.description,
            tender.service_area,
            _names(tender.types_of_care),
            _names(tender.client_groups),
            tender.notes,
            tender.reference,
        ),
        url=tender.get_absolute_url(),
        council=tender.council,
        published_at=tender.published_at,
        # Shown once both its copy and the tender are due (Tender.live.visible).
        visible_from=max(tender.publish_at, tender.published_at),
        visible_until=tender.next_copy_at,
    )


@search.register(
    "arrangement",
    label="Contracting arrangements",
    order=30,
    indexed=lambda: (
        Arrangement.objects.every_copy()
        .filter(live_of__isnull=False, publish_at__isnull=False)
        .with_next_copy_at()
        .select_related("council")
        .prefetch_related("types_of_care", "client_groups")
    ),
    visible=lambda: Arrangement.live.all(),
    model=Arrangement,
    related=("types_of_care", "client_groups"),
    family="live_of",
)
def arrangement_document(arrangement: Arrangement) -> search.Document:
    return search.Document(
        title=arrangement.name,
        body=words(
            arrangement.get_kind_display(),
            markdown_text(arrangement.description),
            arrangement.lots,
            _names(arrangement.types_of_care),
            _names(arrangement.client_groups),
            markdown_text(arrangement.how_to_join),
        ),
        url=arrangement.get_absolute_url(),
        council=arrangement.council,
        published_at=arrangement.content_updated_at or arrangement.publish_at,
        visible_from=arrangement.publish_at,
        visible_until=arrangement.next_copy_at,
    )
