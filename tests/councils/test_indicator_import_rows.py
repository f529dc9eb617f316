"""Bad figures tables: nothing is written, and every problem is named with its row,
column and reason, all in one pass."""

import pytest

from councils.models import IndicatorImport, IndicatorValue

from .conftest import HEADINGS, errors_of, figure, table, upload

pytestmark = pytest.mark.django_db


def preview(client, rows, **kwargs):
    response = upload(client, "figures.csv", table(rows, **kwargs))
    return response, response.context["report"]


def test_every_bad_cell_and_repeat_is_named_in_one_pass(durham_client, admissions):
    rows = [
        figure(),
        figure(metric="no-such-metric"),
        figure(area="E06000099"),
        figure(period="2019", value="about 600"),
        figure(period="Winter", value="1"),
        figure(period="2018", as_at="last spring"),
        figure(period="2021-22"),
        figure(period="2017", link="www.durham.gov.uk"),
        figure(period="2016", source=""),
    ]

    response, report = preview(durham_client, rows)

    assert response.status_code == 400
    assert errors_of(report) == [
        (
            3,
            "metric",
            "There is no indicator with this slug or name. Add it under Indicators "
            "first, or use the slug of one listed there.",
        ),
        (
            4,
            "area_code",
            "There is no council or region with the code “E06000099” on the portal "
            "(England is E92000001).",
        ),
        (
            5,
            "value",
            "Write the figure as a number only, such as 626.4 or 52700: no £, % or "
            "words.",
        ),
        (
            6,
            "period",
            '“Winter” is not a period the portal can read: use "2024", '
            '"2021/22", "January 2024", "2024-01" or "31 March 2024"',
        ),
        (
            7,
            "as_at",
            "Write the date the figure was published or is as at, such as "
            "2024-02-01, 01/02/2024 or 1 February 2024.",
        ),
        (
            8,
            "period",
            "Row 2 has the same metric, area and period: each figure may appear once.",
        ),
        (9, "source_link", "Give the full web address, starting https://."),
        (10, "source", "Every figure needs its source: who published it."),
    ]
    assert "8 problems found: nothing was imported." in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_missing_and_unknown_headings_are_reported_with_the_rows(
    durham_client, admissions
):
    headings = ["Metric", "Area code", "Period", "Amount (%)", "Source", "As at"]
    rows = [["care-home-occupancy", "E06000047", "2024", "86", "Durham MPS", "x"]]

    _response, report = preview(durham_client, rows, headings=headings)

    assert errors_of(report) == [
        (
            1,
            "Amount (%)",
            "This heading is not one the portal knows. Rename it to one of the "
            "headings listed on the import page, or delete the column.",
        ),
        (1, "value", "The table needs a “value” column."),
        (1, "source_link", "The table needs a “source_link” column."),
        (
            2,
            "metric",
            "There is no indicator with this slug or name. Add it under Indicators "
            "first, or use the slug of one listed there.",
        ),
        (
            2,
            "as_at",
            "Write the date the figure was published or is as at, such as "
            "2024-02-01, 01/02/2024 or 1 February 2024.",
        ),
    ]


def test_headings_match_whatever_their_case_and_punctuation(durham_client, admissions):
    headings = ["METRIC", "Area Code", "Period", "Value", "Source", "Source link"]
    headings += ["As-at", "Base year", "Notes"]
    row = [*figure(period="2043"), "2018", "Projection"]

    _response, report = preview(durham_client, [row], headings=headings)

    assert not report.has_errors, errors_of(report)
    assert report.new == 1


def test_a_bad_row_after_thousands_of_good_ones_writes_nothing(
    admin_client, durham, admissions
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from councils.services import indicator_figures_import

    good = [figure(period=f"{1000 + n}") for n in range(4500)]
    data = table([*good, figure(period="January 2024", value="n/a")])

    report = indicator_figures_import(
        file=SimpleUploadedFile("figures.csv", data),
        file_name="figures.csv",
        user=None,
        dry_run=False,
    )

    assert errors_of(report) == [
        (
            4502,
            "value",
            "Write the figure as a number only, such as 626.4 or 52700: no £, % or "
            "words.",
        )
    ]
    assert not report.written
    assert not IndicatorValue.objects.exists()
    assert IndicatorImport.objects.get().outcome == IndicatorImport.Outcome.REFUSED


def test_windows_1252_file_from_excel_is_read(durham_client, admissions):
    rows = [figure(source="Spend £190 million, Durham MPS")]

    _response, report = preview(durham_client, rows, encoding="cp1252")

    assert (report.encoding, report.new) == ("Windows-1252", 1)
    assert report.preview[0].metric.startswith("Permanent admissions")


def test_utf16_file_is_read(durham_client, admissions):
    _response, report = preview(durham_client, [figure()], encoding="utf-16")

    assert (report.encoding, report.new) == ("UTF-16", 1)


def test_old_excel_file_is_refused_with_advice(durham_client, admissions):
    from .conftest import upload

    response = upload(durham_client, "figures.xls", b"\xd0\xcf\x11\xe0" + b"0" * 100)

    assert response.status_code == 400
    assert "old Excel (.xls) file" in response.context["report"].errors[0].message


def test_cell_without_a_heading_is_a_problem(durham_client, admissions):
    rows = [[*figure(), "stray"]]

    _response, report = preview(durham_client, rows, headings=HEADINGS)

    assert errors_of(report) == [
        (2, "column 8", "This cell has no heading the portal knows.")
    ]


def test_base_year_must_be_a_year(durham_client, admissions):
    headings = [*HEADINGS, "base_year"]
    rows = [[*figure(period="2043"), "2018-based"]]

    _response, report = preview(durham_client, rows, headings=headings)

    assert errors_of(report) == [
        (
            2,
            "base_year",
            "Write the year the projection was made from, such as 2018; leave it "
            "blank for actual figures.",
        )
    ]


def test_values_with_thousands_separators_and_minus_signs_are_numbers(
    durham_client, admissions
):
    rows = [figure(period="2022", value="52,700"), figure(period="2023", value="-1.5")]

    response, report = preview(durham_client, rows)

    assert [row.value for row in report.preview] == [52700, -1.5]
    html = response.content.decode()
    assert "<td>52700</td>" in html and "<td>-1.5</td>" in html


def test_a_file_over_the_row_limit_is_refused_whole(durham, admissions):
    import io

    from councils.reading import ImportLimits
    from councils.services import indicator_figures_import

    data = table([figure(period=str(2000 + n)) for n in range(5)])

    report = indicator_figures_import(
        file=io.BytesIO(data),
        file_name="figures.csv",
        dry_run=False,
        limits=ImportLimits(max_rows=3),
    )

    assert errors_of(report) == [
        (None, "", "The table has more than 3 rows. Split it into smaller files.")
    ]
    assert not IndicatorValue.objects.exists()
