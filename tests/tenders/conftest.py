import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tests.factories import (
    ClientGroupFactory,
    CouncilFactory,
    CpvCodeFactory,
    TypeOfCareFactory,
    make_commissioner,
)

DATA = Path(__file__).parent / "data"
IMPORT_URL = reverse("admin:tenders_tender_import")
CONFIRM_URL = reverse("admin:tenders_tender_process_import")


def table(rows, delimiter=",", encoding="utf-8", lineterminator="\r\n") -> bytes:
    """A CSV/TSV file's bytes from a list of rows."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=lineterminator).writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def durham(db):
    return CouncilFactory(
        name="Durham County Council", slug="durham", gss_code="E06000047"
    )


@pytest.fixture
def durham_client(client, durham):
    client.force_login(make_commissioner(durham, username="durham-staff"))
    return client


def upload(client, council, name, data):
    """Post a file to the admin's import page: the preview (a dry run)."""
    return client.post(
        IMPORT_URL,
        {"council": council.pk, "import_file": SimpleUploadedFile(name, data)},
    )


def confirm(client, preview_response):
    token = preview_response.context["confirm_form"].initial["token"]
    return client.post(CONFIRM_URL, {"token": token})


def import_file(client, council, name, data):
    """Preview then confirm; returns the preview's report."""
    response = upload(client, council, name, data)
    report = response.context["report"]
    assert not report.has_errors, [str(error) for error in report.errors]
    assert confirm(client, response).status_code == 302
    return report


def errors_of(response):
    return [
        (error.row, error.column, error.message)
        for error in response.context["report"].errors
    ]


@pytest.fixture
def reablement(db):
    return TypeOfCareFactory(name="Reablement", slug="reablement")


@pytest.fixture
def home_care(db):
    return TypeOfCareFactory(name="Domiciliary care", slug="domiciliary-care")


@pytest.fixture
def older_people(db):
    return ClientGroupFactory(name="Older people", slug="older-people")


@pytest.fixture
def elderly_cpv(db):
    return CpvCodeFactory(
        code="85311100", description="Welfare services for the elderly"
    )


@pytest.fixture(autouse=True)
def upload_folder(tmp_path, monkeypatch):
    """Previewed files kept in this test's own folder, so tests can look inside."""
    from tenders.imports import uploads

    folder = tmp_path / "previews"
    folder.mkdir()
    monkeypatch.setattr(uploads, "upload_folder", lambda: folder)
    return folder
