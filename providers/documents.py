"""How care services become site search documents (``councils.search``)."""

from django.db.models import F, Prefetch

from councils import search
from councils.documents import words

from .models import CareService, Rating, ServiceType, Specialism

# What a service's document is made of.
INDEXED_FIELDS = ("name", "also_known_as", "address", "postcode", "rating", "council")


def indexed():
    """Only what a document is made of: a national CQC import reindexes thousands
    of services at once."""
    return (
        CareService.objects.only(*INDEXED_FIELDS)
        # The provider's name, not a Provider instance per service.
        .annotate(indexed_provider_name=F("provider__name"))
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


def as_indexed(
    values: dict,
    *,
    pk: int,
    provider_name: str,
    service_types: list[str],
    specialisms: list[str],
) -> CareService:
    """A service just inserted by a bulk writer (its field values by attname,
    blank ones left out), as ``indexed()`` reads it back: the same fields loaded
    (building every field of thousands of instances costs more than their
    documents), its provider's name and its terms' names, in the order the
    database lists them."""
    service = CareService.from_db(
        None,
        _LOADED,
        [pk, *(values.get(name, default) for name, default in _LOADED_DEFAULTS)],
    )
    service.indexed_provider_name = provider_name
    service.indexed_service_types = [ServiceType(name=name) for name in service_types]
    service.indexed_specialisms = [Specialism(name=name) for name in specialisms]
    return service


_LOADED_DEFAULTS = [
    (f.attname, f.get_default())
    for f in CareService._meta.concrete_fields
    if f.name in INDEXED_FIELDS
]
_LOADED = ["id", *(name for name, _default in _LOADED_DEFAULTS)]

# As get_rating_display() says them, without its per-call work.
RATING_LABELS = dict(Rating.choices)


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
            service.indexed_provider_name or "",
            service.address,
            service.postcode,
            ", ".join(t.name for t in service.indexed_service_types),
            ", ".join(s.name for s in service.indexed_specialisms),
            (
                f"CQC rating: {RATING_LABELS.get(service.rating, service.rating)}"
                if service.rating
                else ""
            ),
        ),
        url=service.get_absolute_url(),
        council=service.council_id,
    )
