"""What rows may say, how they match existing tenders, and that bad rows write nothing."""

from datetime import date
from decimal import Decimal

import pytest

from tenders.imports import rows as rows_module
from tenders.imports import service as services
from tenders.models import ImportRecord, Tender
from tests.factories import TenderFactory, make_commissioner

from .conftest import confirm, errors_of, import_file, table, upload

pytestmark = pytest.mark.django_db

HEADINGS = ["Reference", "Title", "Procurement activity"]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("April 2025", date(2025, 4, 1), date(2025, 4, 30)),
        ("Apr 2025", date(2025, 4, 1), date(2025, 4, 30)),
        ("04/2025", date(2025, 4, 1), date(2025, 4, 30)),
        ("01/04/2025", date(2025, 4, 1), date(2025, 4, 1)),
        ("1 April 2025", date(2025, 4, 1), date(2025, 4, 1)),
        ("2025-04-01", date(2025, 4, 1), date(2025, 4, 1)),
        ("Spring 2024", date(2024, 3, 1), date(2024, 5, 31)),
        ("Winter 2024", date(2024, 12, 1), date(2025, 2, 28)),
        ("Q3 2024", date(2024, 7, 1), date(2024, 9, 30)),
        ("2024/25", date(2024, 4, 1), date(2025, 3, 31)),
        ("Q1 2025/26", date(2025, 4, 1), date(2025, 6, 30)),
        ("Q4 2025/26", date(2026, 1, 1), date(2026, 3, 31)),
        ("TBC", None, None),
        ("To be confirmed", None, None),
        ("", None, None),
    ],
)
def test_every_published_date_form_keeps_its_text_and_stores_its_window(
    gateshead_client, gateshead, text, start, end
):
    import_file(
        gateshead_client,
        gateshead,
        "t.csv",
        table([HEADINGS, ["GH-1", "Home care", text]]),
    )

    tender = Tender.objects.get()
    assert tender.procurement_activity == text
    assert (tender.procurement_start, tender.procurement_end) == (start, end)


def test_bad_row_writes_nothing_and_names_row_column_and_reason(
    gateshead_client, gateshead
):
    existing = TenderFactory(council=gateshead, reference="GH-1", title="Old title")
    rows = [
        HEADINGS,
        ["GH-1", "New title", "Spring 2025"],
        ["GH-2", "Day care", "Sometime soon"],
        ["GH-3", "Respite", "13/2025"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    assert response.status_code == 400
    assert response.context["confirm_form"] is None
    errors = errors_of(response)
    assert [(row, column) for row, column, _ in errors] == [
        (3, "Procurement activity"),
        (4, "Procurement activity"),
    ]
    assert "not a date we recognise" in errors[0][2]
    assert Tender.objects.count() == 1
    existing.refresh_from_db()
    assert existing.title == "Old title"


def test_bad_row_in_a_later_batch_rolls_back_rows_already_written(
    client, gateshead, gateshead_commissioner, monkeypatch
):
    # Batches are written as they are checked; a later bad row undoes them all.
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    client.force_login(gateshead_commissioner)
    TenderFactory(council=gateshead, reference="GH-1", title="Old title")
    rows = [
        HEADINGS,
        ["GH-1", "Changed title", "TBC"],
        ["GH-2", "Day care", "TBC"],
        ["GH-3", "Respite", "TBC"],
        ["GH-4", "Shared lives", "Not a date"],
    ]
    preview = upload(client, gateshead, "t.csv", table(rows[:4]))
    assert preview.status_code == 200

    from django.core.files.uploadedfile import SimpleUploadedFile

    with SimpleUploadedFile("t.csv", table(rows)) as file:
        report = services.tender_table_import(
            council=gateshead,
            file=file,
            file_name="t.csv",
            user=gateshead_commissioner,
            dry_run=False,
        )

    assert errors_of_report(report) == [(5, "Procurement activity")]
    assert not report.written
    assert list(Tender.objects.values_list("reference", "title")) == [
        ("GH-1", "Old title")
    ]
    record = ImportRecord.objects.get(outcome=ImportRecord.Outcome.REFUSED)
    assert record.errors == 1


def errors_of_report(report):
    return [(error.row, error.column) for error in report.errors]


def test_repeated_reference_names_both_rows(gateshead_client, gateshead):
    rows = [
        HEADINGS,
        ["GH-1", "Home care", "TBC"],
        ["GH-2", "Day care", "TBC"],
        ["GH-1", "Home care north", "TBC"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    [(row, column, message)] = errors_of(response)
    assert (row, column) == (4, "Reference")
    assert "Row 2 has the same reference" in message
    assert not Tender.objects.exists()


def test_repeated_title_without_references_names_both_rows(gateshead_client, gateshead):
    rows = [
        ["Title", "Procurement activity"],
        ["Home Care*", "TBC"],
        ["home care", "Spring 2025"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    [(row, column, message)] = errors_of(response)
    assert (row, column) == (3, "Contract description or title")
    assert "Row 2 has the same title" in message


def test_rows_update_by_reference_and_report_counts(gateshead_client, gateshead):
    TenderFactory(
        council=gateshead,
        reference="GH-1",
        title="Home care",
        procurement_activity="Spring 2026",
    )
    TenderFactory(
        council=gateshead,
        reference="GH-2",
        title="Day care",
        procurement_activity="TBC",
    )
    rows = [
        HEADINGS,
        ["GH-1", "Home care", "Spring 2026"],
        ["GH-2", "Day care (renamed)", "TBC"],
        ["GH-3", "Respite", "TBC"],
    ]

    report = import_file(gateshead_client, gateshead, "t.csv", table(rows))

    assert (report.new, report.updated, report.unchanged) == (1, 1, 1)
    assert [
        [(c.heading, c.old, c.new) for c in row.changes]
        for row in report.preview
        if row.outcome == "updated"
    ] == [[("Contract description or title", "Day care", "Day care (renamed)")]]
    assert Tender.objects.get(reference="GH-2").title == "Day care (renamed)"
    assert Tender.objects.count() == 3


def test_rows_without_references_match_by_normalised_title(gateshead_client, gateshead):
    tender = TenderFactory(
        council=gateshead, reference="GH-7", title="Handyperson & Minor Adaptations"
    )
    rows = [
        ["Title", "New contract commencement"],
        ["HANDYPERSON and minor adaptations.", "April 2026"],
    ]

    report = import_file(gateshead_client, gateshead, "t.csv", table(rows))

    assert (report.new, report.updated) == (0, 1)
    tender.refresh_from_db()
    assert tender.reference == "GH-7"
    assert tender.commencement_start == date(2026, 4, 1)


def test_columns_left_out_of_the_table_keep_their_values(gateshead_client, gateshead):
    TenderFactory(
        council=gateshead,
        reference="GH-1",
        title="Home care",
        status=Tender.Status.OPEN,
        description="Kept",
    )

    import_file(
        gateshead_client,
        gateshead,
        "t.csv",
        table([HEADINGS, ["GH-1", "Home care", "Q1 2026/27"]]),
    )

    tender = Tender.objects.get()
    assert (tender.status, tender.description) == (Tender.Status.OPEN, "Kept")
    assert tender.procurement_start == date(2026, 4, 1)


def test_another_councils_tenders_are_never_matched_or_changed(
    gateshead_client, gateshead, darlington
):
    theirs = TenderFactory(council=darlington, reference="GH-1", title="Home care")

    report = import_file(
        gateshead_client,
        gateshead,
        "t.csv",
        table([HEADINGS, ["GH-1", "Changed", "TBC"]]),
    )

    assert report.new == 1
    theirs.refresh_from_db()
    assert theirs.title == "Home care"
    assert Tender.objects.filter(council=gateshead, reference="GH-1").exists()


def test_row_naming_another_council_is_an_error(
    gateshead_client, gateshead, darlington
):
    rows = [
        [*HEADINGS, "Council"],
        ["GH-1", "Home care", "TBC", "Gateshead Council"],
        ["GH-2", "Day care", "TBC", "gateshead"],
        ["GH-3", "Respite", "TBC", "Darlington Borough Council"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    [(row, column, message)] = errors_of(response)
    assert (row, column) == (4, "Council")
    assert "another council" in message
    assert not Tender.objects.exists()


def test_unknown_and_missing_columns_are_named(gateshead_client, gateshead):
    rows = [["Reference", "Budget holder"], ["GH-1", "Sam"]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    columns = [column for _row, column, _message in errors_of(response)]
    assert columns == ["Contract description or title"]
    [warning] = response.context["report"].warnings
    assert warning.column == "Budget holder"
    assert "ignored" in warning.message


def test_two_columns_for_one_field_are_an_error(gateshead_client, gateshead):
    rows = [["Title", "Contract Description/Title"], ["A", "B"]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    [(row, column, message)] = errors_of(response)
    assert (row, column) == (1, "Contract Description/Title")
    assert "“Title”" in message


def test_values_statuses_and_contacts_are_checked(gateshead_client, gateshead):
    rows = [
        ["Title", "Estimated value (£)", "Status", "Contact email", "Official notice"],
        ["Home care", "£100k \u2013 £250,000", "Open for bids", "a@example.org", ""],
        ["Day care", "lots", "Maybe", "not-an-email", "javascript:alert(1)"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    assert [(row, column) for row, column, _ in errors_of(response)] == [
        (3, "Estimated value (£)"),
        (3, "Status"),
        (3, "Contact email"),
        (3, "Official notice"),
    ]

    import_file(gateshead_client, gateshead, "t.csv", table(rows[:2]))
    tender = Tender.objects.get()
    assert (tender.value_min, tender.value_max) == (Decimal(100000), Decimal(250000))
    assert tender.status == Tender.Status.OPEN


def test_a_bad_value_repeated_on_many_rows_is_an_error_on_each(
    gateshead_client, gateshead, monkeypatch
):
    # Checked values are remembered within an import; a bad one never is, and the
    # memory is emptied when full without losing a check.
    monkeypatch.setattr(rows_module, "VALUE_CACHE_SIZE", 2)
    rows = [["Title", "Estimated value (£)", "Contact email"]]
    for n in range(6):
        email = "not-an-email" if n in (1, 4) else "team@example.org"
        value = "lots" if n in (2, 5) else f"£{n}00k"
        rows.append([f"Tender {n}", value, email])

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    assert [(row, column) for row, column, _ in errors_of(response)] == [
        (3, "Contact email"),
        (4, "Estimated value (£)"),
        (6, "Contact email"),
        (7, "Estimated value (£)"),
    ]


def test_title_too_long_is_a_row_error(gateshead_client, gateshead):
    response = upload(
        gateshead_client,
        gateshead,
        "t.csv",
        table([HEADINGS, ["GH-1", "x" * 301, "TBC"]]),
    )

    [(row, column, message)] = errors_of(response)
    assert (row, column) == (2, "Contract description or title")
    assert "limit is 300" in message


def test_blank_references_in_a_table_of_references_are_numbered_without_clashing(
    gateshead_client, gateshead
):
    rows = [
        HEADINGS,
        ["", "Home care", "TBC"],
        ["GC-0001", "Day care", "TBC"],
    ]

    import_file(gateshead_client, gateshead, "t.csv", table(rows))

    assert dict(Tender.objects.values_list("title", "reference")) == {
        "Day care": "GC-0001",
        "Home care": "GC-0002",
    }


def test_cell_values_are_escaped_in_the_error_list(gateshead_client, gateshead):
    rows = [
        ["Title", "Procurement activity"],
        ["<script>alert('x')</script>", "<b>soon</b>"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<b>soon</b>" not in html
    assert "&lt;b&gt;soon&lt;/b&gt;" in html


def test_script_title_is_shown_as_text_in_the_preview(gateshead_client, gateshead):
    rows = [["Title"], ["<script>alert(1)</script>"]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    confirm(gateshead_client, response)
    assert Tender.objects.get().title == "<script>alert(1)</script>"


def test_repeated_reference_is_named_even_when_the_first_row_has_other_problems(
    gateshead_client, gateshead
):
    rows = [
        HEADINGS,
        ["GH-1", "Home care", "Sometime"],
        ["GH-1", "Day care", "TBC"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    assert [(row, column) for row, column, _ in errors_of(response)] == [
        (2, "Procurement activity"),
        (3, "Reference"),
    ]


def _queries_to_import(client, council, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(count):
        TenderFactory(council=council, reference=f"OLD-{n}", title=f"Old lot {n}")
    rows = [HEADINGS]
    rows += [[f"OLD-{n}", f"Renamed lot {n}", "Q2 2026"] for n in range(count)]
    rows += [[f"NEW-{n}", f"New lot {n}", "Spring 2026"] for n in range(count)]
    rows += [["", f"Untitled lot {n}", "TBC"] for n in range(count)]
    preview = upload(client, council, "t.csv", table(rows))
    with CaptureQueriesContext(connection) as queries:
        confirm(client, preview)
    assert Tender.objects.filter(council=council).count() == 3 * count
    return len(queries)


def test_import_queries_do_not_grow_with_the_rows(client, gateshead, darlington):
    one = make_commissioner(gateshead, darlington, username="both")
    client.force_login(one)

    assert _queries_to_import(client, gateshead, 1) == _queries_to_import(
        client, darlington, 40
    )


@pytest.mark.parametrize("reference_row_first", [True, False])
def test_a_title_and_a_reference_for_the_same_tender_are_an_error(
    gateshead_client, gateshead, reference_row_first
):
    TenderFactory(council=gateshead, reference="GH-7", title="Home care")
    by_reference = ["GH-7", "Home care (north)", "TBC"]
    by_title = ["", "Home care", "Spring 2026"]
    rows = [by_reference, by_title] if reference_row_first else [by_title, by_reference]

    response = upload(gateshead_client, gateshead, "t.csv", table([HEADINGS, *rows]))

    [(_row, _column, message)] = errors_of(response)
    assert "is the same tender (GH-7)" in message
    assert Tender.objects.get().title == "Home care"


def _import_new_rows(council, prefix, count, dry_run=False):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [HEADINGS]
    rows += [[f"{prefix}-{n}", f"{prefix} lot {n}", "TBC"] for n in range(count)]
    with (
        SimpleUploadedFile("t.csv", table(rows)) as file,
        CaptureQueriesContext(connection) as queries,
    ):
        report = services.tender_table_import(
            council=council, file=file, file_name="t.csv", dry_run=dry_run
        )
    assert report.new == count and not report.has_errors
    return [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]


def test_a_bulk_load_refreshes_postgresql_statistics(gateshead, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(services, "ANALYZE_AFTER_NEW_ROWS", 10)
    assert _import_new_rows(gateshead, "A", 9) == []
    assert _import_new_rows(gateshead, "B", 10, dry_run=True) == []
    analyzed = _import_new_rows(gateshead, "C", 10)
    if connection.vendor != "postgresql":
        assert analyzed == []
        return
    assert analyzed == ['ANALYZE "tenders_tender"']
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s",
            [Tender._meta.db_table],
        )
        # Working copies and their live copies: every row the table holds.
        assert cursor.fetchone()[0] == Tender._base_manager.count()
