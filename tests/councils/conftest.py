import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tests.factories import CouncilFactory, IndicatorFactory, make_commissioner

IMPORT_URL = reverse("admin:councils_indicatorvalue_import")
CONFIRM_URL = reverse("admin:councils_indicatorvalue_import_confirm")
HEADINGS = ["metric", "area_code", "period", "value", "source", "source_link", "as_at"]
SOURCE = "Durham County Council, Integrated Market Position Statement 2023/25"
LINK = "https://www.durham.gov.uk/media/mps"
ADMISSIONS = "permanent-admissions-65"


def figure(
    metric=ADMISSIONS,
    area="E06000047",
    period="2021/22",
    value="626.4",
    source=SOURCE,
    link=LINK,
    as_at="2023-09-01",
):
    """One row of a tidy figures table, in HEADINGS order."""
    return [metric, area, period, value, source, link, as_at]


def table(rows, encoding="utf-8", headings=HEADINGS) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([headings, *rows])
    return text.getvalue().encode(encoding)


def xlsx(rows, headings=HEADINGS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [headings, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, name, data):
    """Post a file to the admin's import page: the preview (a dry run)."""
    return client.post(IMPORT_URL, {"import_file": SimpleUploadedFile(name, data)})


def confirm(client, preview_response):
    token = preview_response.context["confirm_form"].initial["token"]
    return client.post(CONFIRM_URL, {"token": token})


def import_file(client, name, data):
    """Preview then confirm; returns the preview's report."""
    response = upload(client, name, data)
    report = response.context["report"]
    assert not report.has_errors, [str(error) for error in report.errors]
    assert confirm(client, response).status_code == 302
    return report


def errors_of(report):
    return [(error.row, error.column, error.message) for error in report.errors]


@pytest.fixture
def durham(db):
    return CouncilFactory(
        name="Durham County Council", slug="durham", gss_code="E06000047"
    )


@pytest.fixture
def durham_commissioner(durham):
    return make_commissioner(durham, username="durham-staff")


@pytest.fixture
def durham_client(client, durham_commissioner):
    client.force_login(durham_commissioner)
    return client


@pytest.fixture
def admissions(db):
    return IndicatorFactory(
        name="Permanent admissions to care homes, aged 65 and over",
        slug=ADMISSIONS,
        unit="per_100k",
        decimal_places=1,
    )


@pytest.fixture
def occupancy(db):
    return IndicatorFactory(name="Care home occupancy", slug="care-home-occupancy")
