"""The OCDS 1.1 release package validates against the official 1.1.5 schema, offline."""

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from councils.publishing import publish, working_copy_save
from tenders.models import Tender
from tests.factories import TenderFactory, future_year

# Planned dates are this many years ahead of today (councils.clock.today).
YEAR = future_year()

pytestmark = pytest.mark.django_db
# The official OCDS 1.1.5 schema, copied from ../shared/standards/ocds-1.1.5 so a fresh
# clone validates offline on its own; the last test checks the copy is unchanged.
SCHEMA_DIR = Path(__file__).resolve().parent / "ocds-1.1.5"
SHARED_SCHEMA_DIR = (
    Path(__file__).resolve().parents[3] / "shared" / "standards" / "ocds-1.1.5"
)
RELEASE_SCHEMA_URL = (
    "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
)


@cache
def validator():
    package = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text())
    release = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    registry = Registry().with_resource(
        RELEASE_SCHEMA_URL,
        Resource.from_contents(release, default_specification=DRAFT4),
    )
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def ocds(client, **query):
    response = client.get(reverse("tenders:tender-list-ocds"), query)
    assert response.status_code == 200
    package = json.loads(response.getvalue())
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator().iter_errors(package)
    ]
    assert not errors, errors
    return package


def test_the_schema_validator_rejects_a_broken_release(client):
    TenderFactory()
    package = ocds(client)
    package["releases"][0]["tag"] = ["not-a-tag"]
    del package["releases"][0]["date"]
    assert len(list(validator().iter_errors(package))) >= 2


def test_every_status_exports_as_a_valid_release(
    client, reablement, elderly_cpv, settings
):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    for status in ["planned", "open", "evaluation", "awarded", "cancelled"]:
        TenderFactory(
            title=f"Tender {status}",
            status=status,
            description="Care at home.",
            notes="subject to outcome of ongoing strategic review",
            cpv_codes=[elderly_cpv],
            value_min=Decimal("100000"),
            value_max=Decimal("150000.50"),
            notice_url="https://www.contractsfinder.service.gov.uk/notice/1",
        )
    TenderFactory(title="Bare", procurement_activity="TBC", commencement="")
    package = ocds(client)
    assert package["version"] == "1.1"
    tags = {r["tender"]["title"]: r["tag"] for r in package["releases"]}
    assert tags["Tender planned"] == ["planning"]
    assert tags["Tender open"] == ["tender"]
    assert tags["Tender cancelled"] == ["tenderCancellation"]
    statuses = {
        r["tender"]["title"]: r["tender"]["status"] for r in package["releases"]
    }
    assert statuses["Tender open"] == "active"
    assert statuses["Tender awarded"] == "complete"
    assert all(r["ocid"].startswith("ocds-abc123-") for r in package["releases"])


def test_release_describes_buyer_items_periods_and_value(
    client, gateshead, elderly_cpv
):
    tender = TenderFactory(
        council=gateshead,
        procurement_activity=f"Spring {YEAR}",
        commencement=f"April {YEAR + 1}",
        cpv_codes=[elderly_cpv],
        value_min=Decimal("100000"),
        value_max=Decimal("200000"),
    )
    release = ocds(client)["releases"][0]
    assert release["buyer"] == {"id": "GB-LAC-E08000037", "name": "Gateshead Council"}
    party = release["parties"][0]
    assert party["identifier"] == {
        "scheme": "GB-LAC",
        "id": "E08000037",
        "legalName": "Gateshead Council",
    }
    assert "buyer" in party["roles"]
    section = release["tender"]
    assert section["id"] == tender.reference
    assert section["mainProcurementCategory"] == "services"
    assert section["items"][0]["classification"] == {
        "scheme": "CPV",
        "id": "85311100",
        "description": "Welfare services for the elderly",
    }
    assert section["tenderPeriod"]["startDate"].startswith(f"{YEAR}-03-01T00:00:00")
    assert section["tenderPeriod"]["endDate"].startswith(f"{YEAR}-05-31T23:59:59")
    assert section["contractPeriod"]["startDate"].startswith(f"{YEAR + 1}-04-01")
    assert section["value"] == {"amount": 200000.0, "currency": "GBP"}
    assert section["minValue"] == {"amount": 100000.0, "currency": "GBP"}


def test_release_id_changes_when_the_tender_changes_and_ocid_does_not(client):
    tender = TenderFactory()
    first = ocds(client)["releases"][0]
    assert first["id"] == ocds(client)["releases"][0]["id"]
    tender.title = "Renamed"
    working_copy_save(obj=tender, user=None)
    # A working copy is not released until it is published.
    assert ocds(client)["releases"][0]["id"] == first["id"]
    publish(obj=tender, user=None, major=True, note="Renamed")
    second = ocds(client)["releases"][0]
    assert second["ocid"] == first["ocid"]
    assert second["id"] != first["id"]
    assert second["date"] != first["date"]


def test_a_known_official_ocid_is_kept(client):
    TenderFactory(ocid="ocds-b5fd17-1234")
    assert ocds(client)["releases"][0]["ocid"] == "ocds-b5fd17-1234"


def test_no_results_is_a_404_because_a_package_needs_a_release(client, db):
    TenderFactory(title="Home care")
    response = client.get(reverse("tenders:tender-list-ocds"), {"q": "no-such-words"})
    assert response.status_code == 404
    assert "No opportunities match" in json.loads(response.getvalue())["detail"]


def test_the_demo_data_exports_as_valid_ocds(client):
    from django.core.management import call_command

    call_command("load_demo_data", verbosity=0)
    package = ocds(client)
    # Demo (made-up) tenders are never published as OCDS releases.
    published = Tender.objects.visible().filter(is_demo=False)
    assert len(package["releases"]) == published.count() == 9


@pytest.mark.parametrize("name", ["release-package-schema.json", "release-schema.json"])
def test_the_copied_schema_is_the_official_one(name):
    if not SHARED_SCHEMA_DIR.exists():
        pytest.skip("../shared/standards is not beside this checkout")
    assert (SCHEMA_DIR / name).read_bytes() == (SHARED_SCHEMA_DIR / name).read_bytes()
