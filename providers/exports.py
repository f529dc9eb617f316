"""The care services directory as open data: a record per service, CSV and JSON."""

from collections.abc import Callable, Iterator

from councils.downloads import PkUrls, Vocabulary, stream_rows

from .models import CareService

# Each record's keys and the CSV's header, in order.
EXPORT_COLUMNS = [
    ("name", "Name"),
    ("council", "Council"),
    ("provider", "Provider"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("service_types", "Service types"),
    ("specialisms", "Specialisms and client groups"),
    ("care_home", "Care home"),
    ("beds", "Beds"),
    ("rating", "CQC overall rating"),
    ("rating_published_on", "Rating published on"),
    ("cqc_location_id", "CQC location ID"),
    ("council_contracted", "Contracted or accredited by the council"),
    ("is_demo", "Demo data"),
    ("url", "Page on this portal"),
]

# What the downloads read of each service, in the order of the rows' values.
SERVICE_FIELDS = [
    "pk",
    "name",
    "council__name",
    "provider__name",
    "address",
    "postcode",
    "care_home",
    "beds",
    "rating",
    "rating_published_on",
    "cqc_location_id",
    "council_contracted",
    "is_demo",
]


def export_records(queryset, absolute_url: Callable[[str], str]) -> Iterator[dict]:
    """The services of ``queryset``, in its order, as flat records (lists stay
    lists): what ``CareService`` instances with their lists prefetched gave, read
    as plain values.

    One query reads the rows, ``CHUNK_ROWS`` at a time
    (``councils.downloads.stream_rows``), each with the keys of its service types
    and specialisms gathered by the database; the terms are read once, one query
    each, and every address is joined to a prefix reversed once. So the queries
    are the same however many rows there are, and memory stays flat.
    """
    service_types = Vocabulary(CareService, "service_types", lambda term: term.name)
    specialisms = Vocabulary(CareService, "specialisms", lambda term: term.name)
    ratings = {
        value: str(label)
        for value, label in CareService._meta.get_field("rating").flatchoices
    }
    url = PkUrls("providers:service-detail", absolute_url)
    values = (
        queryset.prefetch_related(None)
        .annotate(
            service_types_keys=Vocabulary.keys(CareService, "service_types"),
            specialisms_keys=Vocabulary.keys(CareService, "specialisms"),
        )
        .values_list(*SERVICE_FIELDS, "service_types_keys", "specialisms_keys")
    )
    for (
        pk,
        name,
        council,
        provider,
        address,
        postcode,
        care_home,
        beds,
        rating,
        rating_published_on,
        cqc_location_id,
        council_contracted,
        is_demo,
        service_types_keys,
        specialisms_keys,
    ) in stream_rows(values):
        yield {
            "name": name,
            "council": council,
            "provider": provider if provider is not None else "",
            "address": address,
            "postcode": postcode,
            "service_types": service_types(service_types_keys),
            "specialisms": specialisms(specialisms_keys),
            "care_home": care_home,
            "beds": beds,
            "rating": ratings.get(rating, rating),
            "rating_published_on": (
                rating_published_on.isoformat() if rating_published_on else None
            ),
            "cqc_location_id": cqc_location_id,
            "council_contracted": council_contracted,
            "is_demo": is_demo,
            "url": url(pk),
        }
