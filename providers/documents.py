"""How care services become site search documents (``councils.search``)."""

from django.db.models import Prefetch

from councils import search
from councils.documents import words

from .models import CareService, ServiceType, Specialism


def indexed():
    """Only what a document is made of: a national CQC import reindexes thousands
    of services at once."""
    return (
        CareService.objects.select_related("provider")
        .only(
            "name",
            "also_known_as",
            "address",
            "postcode",
            "rating",
            "council_id",
            "provider__name",
        )
        .prefetch_related(
            # Lists, not managers: a related manager per service costs more than
            # the rest of its document.
            Prefetch(
                "service_types",
                queryset=ServiceType.objects.only("name"),
                to_attr="indexed_service_types",
            ),
            Prefetch(
                "specialisms",
                queryset=Specialism.objects.only("name"),
                to_attr="indexed_specialisms",
            ),
        )
    )


@search.register(
    "service",
    label="Care services",
    order=40,
    indexed=indexed,
    visible=lambda: CareService.objects.all(),
    related=("service_types", "specialisms"),
)
def service_document(service: CareService) -> search.Document:
    return search.Document(
        title=service.name,
        body=words(
            service.also_known_as,
            service.provider.name if service.provider else "",
            service.address,
            service.postcode,
            ", ".join(t.name for t in service.indexed_service_types),
            ", ".join(s.name for s in service.indexed_specialisms),
            f"CQC rating: {service.get_rating_display()}" if service.rating else "",
        ),
        url=service.get_absolute_url(),
        council=service.council_id,
    )
