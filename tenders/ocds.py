"""Tender opportunities as an Open Contracting Data Standard (OCDS) 1.1 release package.

One release per tender, describing it as it stands now (its ``id`` changes whenever
the tender changes). The council is the buyer, identified by its ONS GSS code under
the ``GB-LAC`` scheme, as in the OCDS documentation's own examples.
"""

import functools
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import Tender

OCDS_VERSION = "1.1"
PUBLISHER_NAME = "North East MPS Portal"
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ORG_SCHEME = "GB-LAC"
# OCDS release tags by tender status.
TAGS = {
    Tender.Status.PLANNED: "planning",
    Tender.Status.OPEN: "tender",
    Tender.Status.EVALUATION: "tenderUpdate",
    Tender.Status.AWARDED: "tenderUpdate",
    Tender.Status.CANCELLED: "tenderCancellation",
    Tender.Status.WITHDRAWN: "tenderCancellation",
}
LONDON = ZoneInfo("Europe/London")


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@functools.lru_cache(maxsize=8192)  # a few thousand different days at most
def _day(value, end=False) -> str | None:
    """A date as the start (or end) of that day in UK time, as OCDS wants date-times."""
    if value is None:
        return None
    return datetime.combine(value, time.max if end else time.min, LONDON).isoformat(
        timespec="seconds"
    )


def _period(start, end) -> dict:
    period = {"startDate": _day(start), "endDate": _day(end, end=True)}
    return {key: value for key, value in period.items() if value}


def ocid_for(tender) -> str:
    """The notice's own ocid when the council has one, else one under our prefix,
    numbered by the working copy so that every published version shares it."""
    number = tender.live_of_id or tender.pk
    return tender.ocid or f"{settings.OCDS_OCID_PREFIX}-mps-{number}"


def party_id(council) -> str:
    return f"{ORG_SCHEME}-{council.gss_code}"


def _party(tender) -> dict:
    council = tender.council
    party = {
        "id": party_id(council),
        "name": council.name,
        "identifier": {
            "scheme": ORG_SCHEME,
            "id": council.gss_code,
            "legalName": council.name,
        },
        "roles": ["buyer", "procuringEntity"],
    }
    if council.website:
        party["identifier"]["uri"] = council.website
    contact = {
        "name": tender.contact_name,
        "email": tender.contact_email or council.commissioning_email,
        "telephone": council.commissioning_phone,
    }
    contact = {key: value for key, value in contact.items() if value}
    if contact:
        party["contactPoint"] = contact
    return party


def _value(amount) -> dict:
    return {"amount": float(amount), "currency": "GBP"}


def _tender_section(tender) -> dict:
    description = tender.description
    if tender.notes:
        description = f"{description}\n\nNote: {tender.notes}".strip()
    section = {
        "id": tender.reference,
        "title": tender.title,
        "status": tender.ocds_status,
        "procuringEntity": {
            "id": party_id(tender.council),
            "name": tender.council.name,
        },
        "mainProcurementCategory": "services",
    }
    if description:
        section["description"] = description
    codes = tender.cpv_codes
    if codes:
        item = {
            "id": "1",
            "description": tender.title,
            "classification": {
                "scheme": "CPV",
                "id": codes[0].code,
                "description": codes[0].description,
            },
        }
        if codes[1:]:
            item["additionalClassifications"] = [
                {"scheme": "CPV", "id": code.code, "description": code.description}
                for code in codes[1:]
            ]
        section["items"] = [item]
    if tender.value_max is not None:
        section["value"] = _value(tender.value_max)
    if tender.value_min is not None:
        section["minValue"] = _value(tender.value_min)
    if period := _period(tender.procurement_start, tender.procurement_end):
        section["tenderPeriod"] = period
    if period := _period(tender.commencement_start, tender.contract_end):
        section["contractPeriod"] = period
    documents = [
        {
            "id": "portal-page",
            "documentType": "plannedProcurementNotice"
            if tender.status == Tender.Status.PLANNED
            else "tenderNotice",
            "title": f"{tender.title} on the North East MPS Portal",
            "url": tender.url,
            "format": "text/html",
            "language": "en",
        }
    ]
    if tender.notice_url:
        documents.append(
            {
                "id": "official-notice",
                "documentType": "tenderNotice",
                "title": "Official notice",
                "url": tender.notice_url,
            }
        )
    section["documents"] = documents
    return section


def tender_release(tender) -> dict:
    """One OCDS release for the tender (a ``tenders.exports.TenderRow``) as it
    stands at ``updated_at``."""
    ocid = ocid_for(tender)
    return {
        "ocid": ocid,
        "id": f"{ocid}-{tender.updated_at.astimezone(UTC):%Y%m%dT%H%M%S%fZ}",
        "date": _timestamp(tender.updated_at),
        "language": "en",
        "tag": [TAGS[tender.status]],
        "initiationType": "tender",
        "parties": [_party(tender)],
        "buyer": {"id": party_id(tender.council), "name": tender.council.name},
        "tender": _tender_section(tender),
    }


def package_head(*, uri: str, latest) -> dict:
    """A release package's members before its releases; ``latest`` is the newest
    ``updated_at`` among the tenders in it."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _timestamp(latest),
        "publisher": {"name": PUBLISHER_NAME},
        "license": LICENCE,
    }
