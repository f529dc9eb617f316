"""How care services become site search documents (``councils.search``)."""

from councils import search
from councils.documents import words

from .models import CareService


@search.register(
    "service",
    label="Care services",
    order=40,
    indexed=lambda: CareService.objects.select_related(
        "council", "provider"
    ).prefetch_related("service_types", "specialisms"),
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
            ", ".join(t.name for t in service.service_types.all()),
            ", ".join(s.name for s in service.specialisms.all()),
            f"CQC rating: {service.get_rating_display()}" if service.rating else "",
        ),
        url=service.get_absolute_url(),
        council=service.council,
    )
