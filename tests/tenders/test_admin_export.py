"""The admin's export keeps numbers as numbers and makes text formulas inert."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse
from import_export.formats.base_formats import CSV, XLSX

from tenders.models import Tender
from tests.factories import TenderFactory, future_year

# Planned dates are this many years ahead of today (councils.clock.today).
YEAR = future_year()

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:tenders_tender_export")


def format_index(request_factory, user, kind) -> str:
    request = request_factory.get("/")
    request.user = user
    formats = admin.site._registry[Tender].get_export_formats()
    return str(next(i for i, f in enumerate(formats) if f is kind))


@pytest.fixture
def awkward_tender(gateshead):
    return TenderFactory(
        council=gateshead,
        reference="GH-1",
        title='=HYPERLINK("http://evil.example","Click")',
        value_min=Decimal("-5000.00"),
        value_max=Decimal("250000.50"),
    )


def export(client, kind, rf, user):
    response = client.post(
        EXPORT_URL, {"format": format_index(rf, user, kind), "resource": "0"}
    )
    assert response.status_code == 200
    return response


def test_csv_export_writes_a_negative_amount_as_a_number(
    gateshead_client, gateshead_commissioner, rf, awkward_tender
):
    response = export(gateshead_client, CSV, rf, gateshead_commissioner)
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = dict(zip(header, row, strict=True))
    values = [cells[h] for h in header if "value" in h.lower()]
    assert "-5000.00" in values
    assert "250000.50" in values
    assert row[header.index(next(h for h in header if "title" in h.lower()))] == (
        '\'=HYPERLINK("http://evil.example","Click")'
    )


def test_xlsx_export_writes_amounts_as_number_cells(
    gateshead_client, gateshead_commissioner, rf, awkward_tender
):
    response = export(gateshead_client, XLSX, rf, gateshead_commissioner)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    amounts = [row[i] for i, h in enumerate(header) if h.endswith("(£)")]
    assert [cell.data_type for cell in amounts] == ["n", "n"]
    assert [cell.value for cell in amounts] == [-5000, 250000.5]
    title = next(row[i] for i, h in enumerate(header) if "title" in h.lower())
    assert title.data_type == "s"
    assert title.value.startswith("'=")


@pytest.mark.parametrize("field", ["value_min", "value_max"])
def test_admin_refuses_a_negative_amount_as_the_import_does(
    gateshead_client, gateshead, field
):
    response = gateshead_client.post(
        reverse("admin:tenders_tender_add"),
        {
            "council": gateshead.pk,
            "title": "Day services",
            "status": "planned",
            "procurement_activity": f"Autumn {YEAR}",
            "commencement": "",
            "published_at_0": f"01/02/{YEAR}",
            "published_at_1": "09:00:00",
            "value_min": "-5000" if field == "value_min" else "",
            "value_max": "-5000" if field == "value_max" else "",
        },
    )
    assert response.status_code == 200
    assert "An amount cannot be below £0." in str(
        response.context["adminform"].form.errors[field]
    )
    assert not Tender.objects.filter(title="Day services").exists()
