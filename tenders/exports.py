"""Tender opportunities as open data: one record per tender, for CSV and JSON."""

from datetime import date, datetime
from decimal import Decimal

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


def export_queryset(queryset):
    """The tenders with everything a record needs, in a fixed number of queries."""
    return queryset.select_related("council").prefetch_related(
        "types_of_care", "client_groups", "cpv_codes"
    )


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def tender_record(tender: Tender, absolute_url) -> dict:
    """One tender as a flat record; lists stay lists, numbers stay numbers."""
    return {
        "council": tender.council.name,
        "council_gss_code": tender.council.gss_code,
        "reference": tender.reference,
        "title": tender.title,
        "description": tender.description,
        "service_area": tender.service_area,
        "types_of_care": [c.name for c in tender.types_of_care.all()],
        "client_groups": [g.name for g in tender.client_groups.all()],
        "cpv_codes": [c.code for c in tender.cpv_codes.all()],
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
        "url": absolute_url(tender.get_absolute_url()),
        "published_at": tender.published_at,
        "updated_at": tender.updated_at,
        "is_demo": tender.is_demo,
    }


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
