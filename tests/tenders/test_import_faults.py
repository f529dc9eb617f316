"""Imports that never fail with a server error, and leave no files behind."""

import io
import os
import time
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection

from tenders.imports import uploads
from tenders.models import ImportRecord, Tender

from .conftest import confirm, errors_of, table, upload, xlsx

pytestmark = pytest.mark.django_db

REFUSED_TITLE = "Refused by the database"


@pytest.fixture
def database_refuses_one_title(db):
    """A trigger that refuses one title with a unique violation, as the audit did."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_title() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.title = '{REFUSED_TITLE}' THEN "
                "RAISE unique_violation USING MESSAGE = 'duplicate key value'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_title BEFORE INSERT ON tenders_tender "
                "FOR EACH ROW EXECUTE FUNCTION refuse_title()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_title BEFORE INSERT ON tenders_tender "
                f"WHEN NEW.title = '{REFUSED_TITLE}' BEGIN "
                "SELECT RAISE(ABORT, 'UNIQUE constraint failed: title'); END"
            )


def test_a_database_error_while_writing_is_a_refusal_with_a_record_and_no_file(
    gateshead_client, gateshead, database_refuses_one_title, upload_folder
):
    rows = [["Title"]] + [[f"Lot {n}"] for n in range(1, 51)]
    rows[40] = [REFUSED_TITLE]
    preview = upload(gateshead_client, gateshead, "t.csv", table(rows))
    assert preview.status_code == 200
    assert len(list(upload_folder.iterdir())) == 1

    response = confirm(gateshead_client, preview)

    assert response.status_code == 400
    [error] = response.context["report"].errors
    assert "The database refused the import, so nothing was written" in error.message
    assert not Tender.objects.exists()
    record = ImportRecord.objects.get(outcome=ImportRecord.Outcome.REFUSED)
    assert (record.user.username, record.errors) == ("gateshead-staff", 1)
    assert list(upload_folder.iterdir()) == []


def _with_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item, content)
    return out.getvalue()


def test_xlsx_rows_beyond_the_declared_dimension_are_all_read(
    gateshead_client, gateshead
):
    data = xlsx(
        [["Title", "Procurement activity"]] + [[f"Lot {n}", "TBC"] for n in range(5)]
    )
    understated = _with_sheet(
        data,
        lambda sheet: sheet.replace(
            b'<dimension ref="A1:B6"', b'<dimension ref="A1:B2"'
        ),
    )
    assert understated != data

    response = upload(gateshead_client, gateshead, "t.xlsx", understated)

    assert response.context["report"].rows == 5
    confirm(gateshead_client, response)
    assert Tender.objects.count() == 5


def test_xlsx_of_a_million_blank_rows_without_a_dimension_is_refused_quickly(
    gateshead_client, gateshead
):
    def blank_to_the_last_row(sheet: bytes) -> bytes:
        start = sheet.index(b"<dimension")
        sheet = sheet[:start] + sheet[sheet.index(b"/>", start) + 2 :]
        last = (
            b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Lot</t></is>'
            b"</c></row></sheetData>"
        )
        return sheet.replace(b"</sheetData>", last)

    data = _with_sheet(xlsx([["Title"], ["Lot 1"]]), blank_to_the_last_row)
    started = time.perf_counter()

    response = upload(gateshead_client, gateshead, "t.xlsx", data)

    assert time.perf_counter() - started < 10
    [(row, _column, message)] = errors_of(response)
    assert row is None
    assert "more than 10,000 rows" in message
    assert "counting blank rows" in message


def test_clean_import_files_removes_previews_older_than_their_time_limit(
    gateshead_client, gateshead, upload_folder
):
    upload(gateshead_client, gateshead, "old.csv", table([["Title"], ["Lot"]]))
    [old] = list(upload_folder.iterdir())
    two_hours_ago = time.time() - 2 * 60 * 60
    os.utime(old, (two_hours_ago, two_hours_ago))
    fresh = upload(
        gateshead_client, gateshead, "fresh.csv", table([["Title"], ["Lot"]])
    )
    # The second preview already cleared the stale file away.
    assert old not in list(upload_folder.iterdir())
    [kept] = list(upload_folder.iterdir())
    os.utime(kept, (two_hours_ago, two_hours_ago))
    out = io.StringIO()

    call_command("clean_import_files", stdout=out)

    assert out.getvalue().strip() == "Removed 1 previewed file."
    assert list(upload_folder.iterdir()) == []
    response = confirm(gateshead_client, fresh)
    assert response.status_code == 302  # back to the form: "upload the file again"
    assert not Tender.objects.exists()


def test_a_confirmed_import_leaves_no_file(gateshead_client, gateshead, upload_folder):
    confirm(
        gateshead_client,
        upload(gateshead_client, gateshead, "t.csv", table([["Title"], ["Lot"]])),
    )

    assert Tender.objects.count() == 1
    assert list(upload_folder.iterdir()) == []


def test_a_forged_file_name_cannot_point_outside_the_folder(upload_folder, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not a table")

    assert uploads.read_upload("../secret.txt") is None
    uploads.remove_upload("../secret.txt")
    assert outside.exists()
