"""Tender opportunities as open data: one record per tender, for CSV and JSON."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.urls import reverse

from councils.downloads import Vocabulary, stream_rows

from .models import Tender

# Columns of the CSV download, also the keys of each JSON record.
COLUMNS = [
    "council",
    "council_gss_code",
    "reference",
    "title",
    "description",
    "service_area",
    "types_of_care",
    "client_groups",
    "cpv_codes",
    "procurement_activity",
    "procurement_start",
    "procurement_end",
    "commencement",
    "commencement_start",
    "commencement_end",
    "contract_end",
    "value_min",
    "value_max",
    "status",
    "notes",
    "contact_name",
    "contact_email",
    "notice_url",
    "ocid",
    "url",
    "published_at",
    "updated_at",
    "is_demo",
]
LIST_COLUMNS = {"types_of_care", "client_groups", "cpv_codes"}

# What the downloads read of each tender (as TenderRow's first attributes, in this
# order) and of its council.
TENDER_FIELDS = [
    "pk",
    "live_of_id",
    "reference",
    "title",
    "description",
    "service_area",
    "procurement_activity",
    "procurement_start",
    "procurement_end",
    "commencement",
    "commencement_start",
    "commencement_end",
    "contract_end",
    "value_min",
    "value_max",
    "status",
    "notes",
    "contact_name",
    "contact_email",
    "notice_url",
    "ocid",
    "is_demo",
    "published_at",
    "updated_at",
]
COUNCIL_FIELDS = [
    "id",
    "name",
    "slug",
    "gss_code",
    "website",
    "commissioning_email",
    "commissioning_phone",
]


class CouncilRow(NamedTuple):
    id: int
    name: str
    slug: str
    gss_code: str
    website: str
    commissioning_email: str
    commissioning_phone: str


class CpvRow(NamedTuple):
    code: str
    description: str


@dataclass(slots=True)
class TenderRow:
    """A tender as the downloads read it: its columns, its council, its lists and
    its address, with no model instance behind it."""

    pk: int
    live_of_id: int | None
    reference: str
    title: str
    description: str
    service_area: str
    procurement_activity: str
    procurement_start: date | None
    procurement_end: date | None
    commencement: str
    commencement_start: date | None
    commencement_end: date | None
    contract_end: date | None
    value_min: Decimal | None
    value_max: Decimal | None
    status: str
    notes: str
    contact_name: str
    contact_email: str
    notice_url: str
    ocid: str
    is_demo: bool
    published_at: datetime
    updated_at: datetime
    council: CouncilRow
    types_of_care: list[str]
    client_groups: list[str]
    cpv_codes: list[CpvRow]
    url: str

    @property
    def ocds_status(self) -> str:
        return Tender.OCDS_STATUS[self.status]


# A reference that reverse() and build_absolute_uri() leave as it is (quote()'s
# unreserved characters, and not a "." or ".." segment).
PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


class TenderUrls:
    """Each tender's absolute address, as ``build_absolute_uri(get_absolute_url())``
    gives it: worked out once per council and joined to the reference, rather than
    reversed for every one of 150,000 rows; a reference with other characters is
    reversed as before."""

    def __init__(self, absolute_url: Callable[[str], str]):
        self.absolute_url = absolute_url
        self.prefixes: dict[str, str | None] = {}

    def _reversed(self, council_slug: str, reference: str) -> str:
        kwargs = {"council_slug": council_slug, "reference": reference}
        return self.absolute_url(reverse("tenders:tender-detail", kwargs=kwargs))

    def __call__(self, council_slug: str, reference: str) -> str:
        if council_slug not in self.prefixes:
            sample = self._reversed(council_slug, "0")
            plain = sample.endswith("/0/")
            self.prefixes[council_slug] = sample[:-2] if plain else None
        prefix = self.prefixes[council_slug]
        if prefix is not None and PLAIN_REFERENCE.fullmatch(reference):
            return f"{prefix}{reference}/"
        return self._reversed(council_slug, reference)


def export_rows(queryset, absolute_url) -> Iterator[TenderRow]:
    """The tenders of ``queryset``, in its order, as ``TenderRow``.

    One query reads the rows as plain values, ``CHUNK_ROWS`` at a time
    (``councils.downloads.stream_rows``), each with the keys of its types of care,
    client groups and CPV codes gathered by the database; the terms themselves
    are read once, one query each. So the queries are the same however many rows
    there are, and memory stays flat. (Model instances with prefetched lists, and
    reversing each tender's address, took many times the database's own time at
    national scale; so did prefetching's queries with 2,000 keys each.)
    """
    types_of_care = Vocabulary(Tender, "types_of_care", lambda term: term.name)
    client_groups = Vocabulary(Tender, "client_groups", lambda term: term.name)
    cpv_codes = Vocabulary(
        Tender, "cpv_codes", lambda term: CpvRow(term.code, term.description)
    )
    council_columns = [f"council__{name}" for name in COUNCIL_FIELDS]
    values = queryset.annotate(
        types_of_care_keys=Vocabulary.keys(Tender, "types_of_care"),
        client_groups_keys=Vocabulary.keys(Tender, "client_groups"),
        cpv_codes_keys=Vocabulary.keys(Tender, "cpv_codes"),
    ).values_list(
        *TENDER_FIELDS,
        "types_of_care_keys",
        "client_groups_keys",
        "cpv_codes_keys",
        *council_columns,
    )
    width = len(TENDER_FIELDS)
    url = TenderUrls(absolute_url)
    councils: dict[int, CouncilRow] = {}
    for row in stream_rows(values):
        council = councils.get(row[width + 3])
        if council is None:
            council = councils[row[width + 3]] = CouncilRow(*row[width + 3 :])
        yield TenderRow(
            *row[:width],
            council=council,
            types_of_care=types_of_care(row[width]),
            client_groups=client_groups(row[width + 1]),
            cpv_codes=cpv_codes(row[width + 2]),
            url=url(council.slug, row[2]),
        )


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def tender_record(tender: TenderRow) -> dict:
    """One tender as a flat record; lists stay lists, numbers stay numbers."""
    return {
        "council": tender.council.name,
        "council_gss_code": tender.council.gss_code,
        "reference": tender.reference,
        "title": tender.title,
        "description": tender.description,
        "service_area": tender.service_area,
        "types_of_care": tender.types_of_care,
        "client_groups": tender.client_groups,
        "cpv_codes": [code.code for code in tender.cpv_codes],
        "procurement_activity": tender.procurement_activity,
        "procurement_start": tender.procurement_start,
        "procurement_end": tender.procurement_end,
        "commencement": tender.commencement,
        "commencement_start": tender.commencement_start,
        "commencement_end": tender.commencement_end,
        "contract_end": tender.contract_end,
        "value_min": _number(tender.value_min),
        "value_max": _number(tender.value_max),
        "status": tender.status,
        "notes": tender.notes,
        "contact_name": tender.contact_name,
        "contact_email": tender.contact_email,
        "notice_url": tender.notice_url,
        "ocid": tender.ocid,
        "url": tender.url,
        "published_at": tender.published_at,
        "updated_at": tender.updated_at,
        "is_demo": tender.is_demo,
    }


def tender_csv_row(tender: TenderRow) -> list:
    """One tender as a CSV row, in the order of ``COLUMNS``."""
    record = tender_record(tender)
    return [record[column] for column in COLUMNS]


def tender_json_record(tender: TenderRow) -> dict:
    """One tender as a JSON record: ``tender_record`` with dates as ISO 8601."""
    return {key: json_value(value) for key, value in tender_record(tender).items()}


def json_value(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


ARRANGEMENT_COLUMNS = [
    "council",
    "council_gss_code",
    "name",
    "kind",
    "description",
    "types_of_care",
    "client_groups",
    "lots",
    "joining",
    "next_opening",
    "next_opening_start",
    "next_opening_end",
    "how_to_join",
    "starts",
    "ends",
    "more_information_url",
    "contact_email",
    "url",
    "updated_at",
]


def arrangement_record(arrangement, absolute_url) -> dict:
    """One contracting arrangement as a flat record; lists stay lists."""
    return {
        "council": arrangement.council.name,
        "council_gss_code": arrangement.council.gss_code,
        "name": arrangement.name,
        "kind": arrangement.kind,
        "description": arrangement.description,
        "types_of_care": [c.name for c in arrangement.types_of_care.all()],
        "client_groups": [g.name for g in arrangement.client_groups.all()],
        "lots": arrangement.lots,
        "joining": arrangement.joining,
        "next_opening": arrangement.next_opening,
        "next_opening_start": arrangement.next_opening_start,
        "next_opening_end": arrangement.next_opening_end,
        "how_to_join": arrangement.how_to_join,
        "starts": arrangement.starts,
        "ends": arrangement.ends,
        "more_information_url": arrangement.more_information_url,
        "contact_email": arrangement.contact_email,
        "url": absolute_url(arrangement.get_absolute_url()),
        "updated_at": arrangement.updated_at,
    }
