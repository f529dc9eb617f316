"""Keeping a council's pipeline in step with its own table: what a new user ran into.

One test (or a few) per finding of the issue "Tender tables, the full round trip",
in its order.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import Workbook

from councils import clock
from tenders.models import ImportRecord, Tender
from tests.factories import (
    ArrangementFactory,
    ClientGroupFactory,
    TenderFactory,
    TenderPipelineFactory,
    TypeOfCareAliasFactory,
    TypeOfCareFactory,
)

from .conftest import CONFIRM_URL, IMPORT_URL, confirm, errors_of, table, upload

pytestmark = pytest.mark.django_db


def warnings_of(response):
    return [(w.row, w.column, w.message) for w in response.context["report"].warnings]


# 1. All problems in one pass ----------------------------------------------------


def test_unknown_column_is_ignored_with_a_warning_and_row_problems_come_at_once(
    gateshead_client, gateshead
):
    rows = [
        ["Title", "Procurement activity", "Estimated annual value"],
        ["Home care", "Spring 2026", "£2m"],
        ["Day care", "Someday", "£1m"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    assert [(row, column) for row, column, _ in errors_of(response)] == [
        (3, "Procurement activity")
    ]
    [(row, column, message)] = warnings_of(response)
    assert (row, column) == (1, "Estimated annual value")
    assert "ignored" in message
    assert "nearest known heading is “Estimated value (£)”" in message


def test_a_file_with_only_an_unknown_extra_column_imports_the_rest(
    gateshead_client, gateshead
):
    rows = [["Title", "Budget holder"], ["Home care", "Sam"]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))
    assert response.status_code == 200
    confirm(gateshead_client, response)

    assert list(Tender.objects.values_list("title", flat=True)) == ["Home care"]


# 2. What councils type -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "low", "high", "text"),
    [
        ("TBC", None, None, "TBC"),
        ("£38m", Decimal("38000000"), Decimal("38000000"), ""),
        ("£900k", Decimal("900000"), Decimal("900000"), ""),
        ("c. £5m p.a.", Decimal("5000000"), Decimal("5000000"), "c. £5m p.a."),
        ("up to £2m", None, Decimal("2000000"), "up to £2m"),
        ("£1m-£2m", Decimal("1000000"), Decimal("2000000"), ""),
    ],
)
def test_values_as_councils_write_them_keep_their_text_and_amounts(
    gateshead_client, gateshead, value, low, high, text
):
    rows = [["Title", "Estimated value"], ["Home care", value]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))
    assert response.status_code == 200, errors_of(response)
    confirm(gateshead_client, response)

    tender = Tender.objects.get()
    assert (tender.value_min, tender.value_max, tender.value_text) == (low, high, text)


@pytest.mark.parametrize(
    ("heading", "value"),
    [
        ("Estimated value", "-5000"),
        ("Estimated value", "-£5m"),
        ("Estimated value", "£-5,000"),
        ("Estimated value", "£1m - -£2m"),
        ("Value from", "-5000"),
        ("Value to", "-£5m"),
    ],
)
def test_negative_amounts_are_refused(gateshead_client, gateshead, value, heading):
    rows = [["Title", heading], ["Home care", value]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    [(row, _column, message)] = errors_of(response)
    assert row == 2
    assert "negative" in message
    assert not Tender.objects.exists()


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Apr-26", date(2026, 4, 1), date(2026, 4, 30)),
        ("Apr-2026", date(2026, 4, 1), date(2026, 4, 30)),
        ("Winter 2026/27", date(2026, 12, 1), date(2027, 2, 28)),
    ],
)
def test_excel_month_text_and_winter_across_two_years_are_read(
    gateshead_client, gateshead, text, start, end
):
    rows = [["Title", "Procurement activity"], ["Home care", text]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))
    assert response.status_code == 200, errors_of(response)
    confirm(gateshead_client, response)

    tender = Tender.objects.get()
    assert (tender.procurement_activity, tender.procurement_start) == (text, start)
    assert tender.procurement_end == end


# 3. A preview to trust -------------------------------------------------------------


def test_preview_shows_old_and_new_values_and_how_each_date_was_read(
    gateshead_client, gateshead
):
    TenderFactory(
        council=gateshead,
        reference="GH-1",
        title="Home care",
        procurement_activity="Spring 2026",
        value_min=1000,
        value_max=1000,
    )
    rows = [
        ["Reference", "Title", "Procurement activity", "Estimated value"],
        ["GH-1", "Home care", "Winter 2026/27", "£2m"],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    html = response.content.decode()
    assert "Procurement activity: Spring 2026 → Winter 2026/27" in html
    assert "Estimated value from (£): £1,000 → £2,000,000" in html
    assert (
        "Procurement activity: “Winter 2026/27” = 1 December 2026 to 28 February 2027"
        in html
    )


def test_preview_warns_of_a_title_very_close_to_an_existing_tenders(
    gateshead_client, gateshead
):
    TenderFactory(
        council=gateshead, reference="GH-1", title="Provision of Hoists and Slings"
    )
    rows = [["Reference", "Title"], ["GH-2", "Provision of Hoist and Slings"]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    [(row, column, message)] = warnings_of(response)
    assert (row, column) == (2, "Contract description or title")
    assert "very close to GH-1 “Provision of Hoists and Slings”" in message
    assert "very close to GH-1" in response.content.decode()


# 4. Types of care and client groups from the table ---------------------------------


def test_types_of_care_and_client_groups_come_from_the_table_through_aliases(
    gateshead_client, gateshead, client
):
    home_care = TypeOfCareFactory(name="Domiciliary care", slug="domiciliary-care")
    reablement = TypeOfCareFactory(name="Reablement", slug="reablement")
    older = ClientGroupFactory(name="Older people", slug="older-people")
    TypeOfCareAliasFactory(council=gateshead, name="Home care", type_of_care=home_care)
    rows = [
        ["Title", "Type of service", "Client group"],
        ["Care at home", "Home care; Reablement", "Older people"],
        ["Getting home from hospital", "Reablement", ""],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))
    assert response.status_code == 200, errors_of(response)
    confirm(gateshead_client, response)

    at_home = Tender.objects.get(title="Care at home")
    assert set(at_home.types_of_care.all()) == {home_care, reablement}
    assert list(at_home.client_groups.all()) == [older]
    finder = client.get(reverse("tenders:tender-list"), {"type_of_care": "reablement"})
    assert len(finder.context["tenders"]) == 2


def test_an_unknown_type_of_care_is_refused_with_the_nearest_one(
    gateshead_client, gateshead
):
    TypeOfCareFactory(name="Reablement", slug="reablement")
    rows = [["Title", "Type of service"], ["Care at home", "Reablment"]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    [(row, column, message)] = errors_of(response)
    assert (row, column) == (2, "Types of care")
    assert "“Reablment” (nearest: “Reablement”)" in message
    assert "alias" in message


def test_another_councils_alias_is_not_used(gateshead_client, gateshead, darlington):
    home_care = TypeOfCareFactory(name="Domiciliary care", slug="domiciliary-care")
    TypeOfCareAliasFactory(council=darlington, name="Home care", type_of_care=home_care)
    rows = [["Title", "Type of service"], ["Care at home", "Home care"]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    assert [column for _row, column, _ in errors_of(response)] == ["Types of care"]


# 5. "This file is the whole pipeline" ------------------------------------------------


def upload_whole_pipeline(client, council, rows):
    return client.post(
        IMPORT_URL,
        {
            "council": council.pk,
            "import_file": _file(table(rows)),
            "whole_pipeline": "on",
        },
    )


def _file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("pipeline.csv", data)


def test_whole_pipeline_import_lists_then_withdraws_open_tenders_left_out(
    gateshead_client, gateshead
):
    for n in (1, 2, 3):
        TenderFactory(council=gateshead, reference=f"GH-{n}", title=f"Lot {n}")
    TenderFactory(
        council=gateshead,
        reference="GH-9",
        title="Awarded last year",
        status=Tender.Status.AWARDED,
    )
    rows = [["Reference", "Title"], ["GH-1", "Lot 1"], ["GH-2", "Lot 2"]]

    preview = upload_whole_pipeline(gateshead_client, gateshead, rows)

    report = preview.context["report"]
    assert [(w.reference, w.title) for w in report.withdrawn] == [("GH-3", "Lot 3")]
    assert "Open tenders not in the table, which will be withdrawn: 1 of 3" in (
        preview.content.decode()
    )
    assert Tender.objects.get(reference="GH-3").status == Tender.Status.PLANNED
    assert confirm(gateshead_client, preview).status_code == 302
    statuses = dict(Tender.objects.values_list("reference", "status"))
    assert statuses == {
        "GH-1": "planned",
        "GH-2": "planned",
        "GH-3": "withdrawn",
        "GH-9": "awarded",
    }
    record = ImportRecord.objects.get(outcome=ImportRecord.Outcome.IMPORTED)
    assert record.withdrawn == 1


def test_an_import_that_is_not_the_whole_pipeline_withdraws_nothing(
    gateshead_client, gateshead
):
    TenderFactory(council=gateshead, reference="GH-1", title="Lot 1")
    TenderFactory(council=gateshead, reference="GH-2", title="Lot 2")
    rows = [["Reference", "Title"], ["GH-1", "Lot 1"]]

    confirm(gateshead_client, upload(gateshead_client, gateshead, "t.csv", table(rows)))

    assert not Tender.objects.filter(status=Tender.Status.WITHDRAWN).exists()


def test_withdrawing_more_than_half_the_open_tenders_needs_a_second_confirmation(
    gateshead_client, gateshead
):
    for n in (1, 2, 3):
        TenderFactory(council=gateshead, reference=f"GH-{n}", title=f"Lot {n}")
    rows = [["Reference", "Title"], ["GH-1", "Lot 1"]]
    preview = upload_whole_pipeline(gateshead_client, gateshead, rows)
    assert "confirm_withdrawals" in preview.context["confirm_form"].fields
    token = preview.context["confirm_form"].initial["token"]

    refused = gateshead_client.post(CONFIRM_URL, {"token": token})

    assert refused.status_code == 400
    assert "more than half" in str(refused.context["report"].errors[0])
    assert not Tender.objects.filter(status=Tender.Status.WITHDRAWN).exists()
    again = upload_whole_pipeline(gateshead_client, gateshead, rows)
    token = again.context["confirm_form"].initial["token"]
    confirmed = gateshead_client.post(
        CONFIRM_URL, {"token": token, "confirm_withdrawals": "on"}
    )
    assert confirmed.status_code == 302
    assert Tender.objects.filter(status=Tender.Status.WITHDRAWN).count() == 2


# 6. "Last updated" moves -------------------------------------------------------------


def test_whole_pipeline_import_moves_the_pipelines_last_updated_date(
    gateshead_client, gateshead, client
):
    long_ago = clock.today() - timedelta(days=700)
    TenderPipelineFactory(council=gateshead, last_updated=long_ago)
    rows = [["Reference", "Title"], ["GH-1", "Lot 1"]]

    confirm(gateshead_client, upload_whole_pipeline(gateshead_client, gateshead, rows))

    gateshead.tender_pipeline.refresh_from_db()
    assert gateshead.tender_pipeline.last_updated == clock.today()
    page = client.get(gateshead.get_absolute_url())
    assert f'Last updated <time datetime="{clock.today():%Y-%m-%d}"' in (
        page.content.decode()
    )


def test_a_partial_import_leaves_last_updated_alone(gateshead_client, gateshead):
    long_ago = clock.today() - timedelta(days=700)
    TenderPipelineFactory(council=gateshead, last_updated=long_ago)
    rows = [["Reference", "Title"], ["GH-1", "Lot 1"]]

    confirm(gateshead_client, upload(gateshead_client, gateshead, "t.csv", table(rows)))

    gateshead.tender_pipeline.refresh_from_db()
    assert gateshead.tender_pipeline.last_updated == long_ago


# 7. Footnotes --------------------------------------------------------------------------


def test_a_marker_without_a_footnote_adds_no_note_but_a_warning(
    gateshead_client, gateshead
):
    rows = [["Title"], ["Reablement service*"]]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))
    [(row, _column, message)] = warnings_of(response)
    confirm(gateshead_client, response)

    assert row == 2
    assert "no footnote" in message
    tender = Tender.objects.get()
    assert (tender.title, tender.notes) == ("Reablement service", "")


def test_a_footnote_below_the_table_becomes_the_marked_rows_note(
    gateshead_client, gateshead
):
    rows = [
        ["Title", "Procurement activity"],
        ["Reablement service*", "Spring 2026"],
        ["Day care", "TBC"],
        [],
        ["* subject to outcome of ongoing strategic review", ""],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))
    assert response.context["report"].rows == 2
    confirm(gateshead_client, response)

    notes = dict(Tender.objects.values_list("title", "notes"))
    assert notes == {
        "Reablement service": "subject to outcome of ongoing strategic review",
        "Day care": "",
    }
    assert gateshead.tender_pipeline.footnote == (
        "* subject to outcome of ongoing strategic review"
    )


# 8. How values and dates show --------------------------------------------------------


def test_a_single_value_shows_once(client, gateshead):
    tender = TenderFactory(
        council=gateshead, value_min=38_000_000, value_max=38_000_000
    )

    page = client.get(tender.get_absolute_url()).content.decode()

    assert "£38,000,000" in page
    assert "£38,000,000 to £38,000,000" not in page


def test_a_value_as_published_shows_as_the_council_wrote_it(client, gateshead):
    tender = TenderFactory(
        council=gateshead,
        value_min=5_000_000,
        value_max=5_000_000,
        value_text="c. £5m p.a.",
    )

    assert "c. £5m p.a." in client.get(tender.get_absolute_url()).content.decode()


def test_an_arrangements_next_opening_is_apart_from_its_dates(client, gateshead):
    arrangement = ArrangementFactory(council=gateshead, next_opening="2024/25")

    page = client.get(arrangement.get_absolute_url()).content.decode()

    assert "2024/25 <span" in page
    assert "(1 April 2024 to 31 March 2025)" in page


def test_blank_and_tbc_dates_read_the_same(client, gateshead):
    blank = TenderFactory(council=gateshead, procurement_activity="", commencement="")
    typed = TenderFactory(
        council=gateshead, procurement_activity="TBC", commencement="tbc"
    )

    for tender in (blank, typed):
        page = client.get(tender.get_absolute_url()).content.decode()
        assert page.count("To be confirmed") == 2
        assert ">TBC<" not in page and ">tbc<" not in page


def test_an_excel_date_cell_reads_as_the_council_writes_a_day(
    gateshead_client, gateshead
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Title", "New contract commencement"])
    sheet.append(["Home care", date(2027, 4, 1)])
    sheet["B2"].number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    workbook.save(out)

    response = upload(gateshead_client, gateshead, "t.xlsx", out.getvalue())
    confirm(gateshead_client, response)

    assert Tender.objects.get().commencement == "1 April 2027"


# 9. The import log and the wording -----------------------------------------------------


def test_a_refused_preview_is_in_the_import_log_with_its_problems(
    gateshead_client, gateshead
):
    rows = [["Title", "Procurement activity"], ["Home care", "Someday"]]

    upload(gateshead_client, gateshead, "t.csv", table(rows))

    record = ImportRecord.objects.get()
    assert (record.outcome, record.errors) == (ImportRecord.Outcome.REFUSED, 1)
    assert "Row 2" in record.error_summary
    log = gateshead_client.get(reverse("admin:tenders_importrecord_changelist"))
    assert "t.csv" in log.content.decode()


def test_one_row_is_one_row(gateshead_client, gateshead):
    response = upload(gateshead_client, gateshead, "t.csv", table([["Title"], ["Lot"]]))

    assert response.context["report"].summary() == (
        "1 row: 1 new, 0 updated and 0 unchanged tender would be imported. "
        "Readers will see it now."
    )


def test_the_confirmation_keeps_the_file_names_case(gateshead_client, gateshead):
    preview = upload(
        gateshead_client, gateshead, "durham.csv", table([["Title"], ["Lot"]])
    )

    done = confirm(gateshead_client, preview)

    [message] = [str(m) for m in get_messages(done.wsgi_request)]
    assert message.startswith("Imported “durham.csv”.")


def test_the_import_page_has_the_admins_breadcrumbs(gateshead_client):
    html = gateshead_client.get(IMPORT_URL).content.decode()

    assert '<ol class="breadcrumbs">' in html
    assert '<li aria-current="page">Import</li>' in html


# 10. One reference numbering -----------------------------------------------------------


def test_the_admin_and_the_import_number_new_references_alike(
    gateshead_client, gateshead
):
    TenderFactory(council=gateshead, reference="GC-0001", title="First")
    TenderFactory(council=gateshead, reference="GC-0005", title="Fifth")

    added = gateshead_client.post(
        reverse("admin:tenders_tender_add"),
        {
            "council": gateshead.pk,
            "title": "Added in the admin",
            "status": "planned",
            # "Publish at" left empty: publish now.
        },
    )
    assert added.status_code == 302
    confirm(
        gateshead_client,
        upload(gateshead_client, gateshead, "t.csv", table([["Title"], ["Imported"]])),
    )

    references = dict(Tender.objects.values_list("title", "reference"))
    assert references["Added in the admin"] == "GC-0006"
    assert references["Imported"] == "GC-0007"
