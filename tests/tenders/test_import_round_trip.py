"""The full round trip: a council's own table in one upload, and export → edit → import.

``data/durham_pipeline_30.csv`` has the headings County Durham publishes in its MPS
Appendix 1 ("Upcoming Tender Opportunities"), plus value, type of service, client
group and contact columns. Its first nine rows are Durham's own (February 2024),
with values and types added; the other 21 are made up in Durham's style for this
test, with the dates and values councils type ("Apr-26", "Winter 2026/27", "Q3
2026/27", "TBC", "£38m", "£900k", "c. £5m p.a.", "up to £2m", "£1m-£2m"). The
footnote below the table is Durham's.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from councils.models import TypeOfCare
from tenders.imports.columns import BY_FIELD, EXPORTED
from tenders.models import ClientGroup, ImportRecord, Tender, TenderPipeline
from tests.factories import (
    ClientGroupAliasFactory,
    TenderFactory,
    TypeOfCareAliasFactory,
)

from .conftest import DATA, confirm, upload

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:tenders_tender_export")
CSV_FORMAT, XLSX_FORMAT = "0", "2"


@pytest.fixture
def vocabularies(db):
    fixtures = settings.BASE_DIR / "fixtures"
    call_command(
        "loaddata",
        fixtures / "05_types_of_care.json",
        fixtures / "20_tender_vocabularies.json",
        verbosity=0,
    )


@pytest.fixture
def durham_words(durham, vocabularies):
    """Durham's own words for the shared lists, as a commissioner adds them."""
    care = TypeOfCare.objects.get
    for name, slug in [
        ("Home care", "domiciliary-care"),
        ("Domiciliary", "domiciliary-care"),
        ("Older people's residential", "residential-care"),
    ]:
        TypeOfCareAliasFactory(council=durham, name=name, type_of_care=care(slug=slug))
    for name, slug in [
        ("Adults", "all-adults"),
        ("Children", "children-and-young-people"),
    ]:
        ClientGroupAliasFactory(
            council=durham, name=name, client_group=ClientGroup.objects.get(slug=slug)
        )


def test_a_30_row_durham_table_goes_through_in_one_upload(
    durham_client, durham, durham_words
):
    data = (DATA / "durham_pipeline_30.csv").read_bytes()

    preview = upload(durham_client, durham, "durham_pipeline_30.csv", data)

    report = preview.context["report"]
    assert preview.status_code == 200, [str(e) for e in report.errors]
    assert (report.rows, report.new, report.error_count) == (30, 30, 0)
    assert report.warnings == []
    assert confirm(durham_client, preview).status_code == 302
    assert Tender.objects.filter(council=durham).count() == 30
    # Every tender is under a type of care, so the finder's filter finds them all.
    assert not Tender.objects.filter(types_of_care=None).exists()
    home_care = durham_client.get(
        reverse("tenders:tender-list"), {"type_of_care": "domiciliary-care"}
    )
    assert sorted(t.title for t in home_care.context["tenders"]) == [
        "Domiciliary Care in Rural Weardale and Teesdale",
        "Home Care for People Leaving Hospital",
        "Provision of Domiciliary Care Services for adults, children and young "
        "people in County Durham",
    ]
    reablement = Tender.objects.get(title__startswith="Contract for the provision")
    assert reablement.notes == "subject to outcome of ongoing strategic review"
    assert (reablement.value_min, reablement.value_text) == (
        Decimal("5000000"),
        "c. £5m p.a.",
    )
    winter = Tender.objects.get(title="Shared Lives Scheme")
    assert (winter.procurement_start, winter.procurement_end) == (
        date(2026, 12, 1),
        date(2027, 2, 28),
    )
    carers = Tender.objects.get(title="Carers' Support Service")
    assert carers.procurement_start == date(2026, 4, 1)
    pipeline = TenderPipeline.objects.get(council=durham)
    assert pipeline.footnote == "* subject to outcome of ongoing strategic review"


# Every column an export writes, edited as a commissioner would in Excel, and what
# the tender holds after the edited file is imported.
EDITS = {
    "reference": ("GH-1", "GH-1"),
    "title": (
        "Home care for older people (north)",
        "Home care for older people (north)",
    ),
    "description": ("Care at home.\nTwo lots.", "Care at home.\nTwo lots."),
    "service_area": ("Adult Social Care", "Adult Social Care"),
    "procurement_activity": ("Winter 2026/27", "Winter 2026/27"),
    "commencement": ("Apr-27", "Apr-27"),
    "contract_end": ("2031-03-31", date(2031, 3, 31)),
    "value_min": ("150000", Decimal("150000")),
    "value_max": ("£2m", Decimal("2000000")),
    "value_text": ("c. £1m p.a.", "c. £1m p.a."),
    "types_of_care": ("Reablement; Shared lives", {"Reablement", "Shared lives"}),
    "client_groups": ("Older people", {"Older people"}),
    "status": ("Open for bids", Tender.Status.OPEN),
    "notes": ("Subject to review.", "Subject to review."),
    "contact_name": ("Commissioning team", "Commissioning team"),
    "contact_email": ("new@example.org", "new@example.org"),
    "notice_url": (
        "https://www.find-tender.service.gov.uk/Notice/000123-2026",
        "https://www.find-tender.service.gov.uk/Notice/000123-2026",
    ),
    "ocid": ("ocds-h6vhtk-000123", "ocds-h6vhtk-000123"),
    "council": ("Gateshead Council", None),
}


def _stored(tender: Tender, name: str):
    if name in ("types_of_care", "client_groups"):
        return {term.name for term in getattr(tender, name).all()}
    return getattr(tender, name)


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx_rows(content: bytes) -> tuple:
    workbook = load_workbook(io.BytesIO(content))
    return workbook, workbook.active


def _import(client, council, name, data):
    preview = upload(client, council, name, data)
    report = preview.context["report"]
    assert not report.has_errors, [str(error) for error in report.errors]
    assert confirm(client, preview).status_code == 302
    return report


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_edit_import_keeps_every_column(
    gateshead_client, gateshead, vocabularies, file_format
):
    assert set(EDITS) == set(EXPORTED)  # a new column must be added here
    tender = TenderFactory(
        council=gateshead,
        reference="GH-1",
        title="Home care",
        description="Old description",
        service_area="Commissioning",
        procurement_activity="Spring 2026",
        commencement="April 2027",
        value_min=1000,
        value_max=2000,
        status=Tender.Status.PLANNED,
        notes="Old note",
        contact_name="Old contact",
        contact_email="old@example.org",
    )
    tender.types_of_care.set([TypeOfCare.objects.get(slug="domiciliary-care")])
    headings = {BY_FIELD[name].heading: name for name in EXPORTED}

    if file_format == "csv":
        exported = gateshead_client.post(
            EXPORT_URL, {"format": CSV_FORMAT, "resource": "0"}
        )
        rows = _csv_rows(exported.content)
        assert set(rows[0]) == set(headings)
        rows[1] = [EDITS[headings[heading]][0] for heading in rows[0]]
        edited = _csv_bytes(rows)
    else:
        exported = gateshead_client.post(
            EXPORT_URL, {"format": XLSX_FORMAT, "resource": "0"}
        )
        workbook, sheet = _xlsx_rows(exported.content)
        row_headings = [cell.value for cell in sheet[1]]
        assert set(row_headings) == set(headings)
        for cell, heading in zip(sheet[2], row_headings, strict=True):
            cell.value = EDITS[headings[heading]][0]
        out = io.BytesIO()
        workbook.save(out)
        edited = out.getvalue()

    report = _import(gateshead_client, gateshead, f"edited.{file_format}", edited)

    assert (report.new, report.updated) == (0, 1)
    tender = Tender.objects.get()
    for name, (_cell, expected) in EDITS.items():
        if expected is not None:
            assert _stored(tender, name) == expected, name
    assert (tender.commencement_start, tender.commencement_end) == (
        date(2027, 4, 1),
        date(2027, 4, 30),
    )
    # And the edited tender exports and imports again with nothing changed.
    again = gateshead_client.post(
        EXPORT_URL,
        {
            "format": CSV_FORMAT if file_format == "csv" else XLSX_FORMAT,
            "resource": "0",
        },
    )
    report = _import(gateshead_client, gateshead, f"again.{file_format}", again.content)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert ImportRecord.objects.filter(outcome="imported").count() == 2
