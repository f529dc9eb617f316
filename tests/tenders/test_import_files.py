"""Files as councils save them: encodings, line endings, TSV, XLSX, and the limits."""

import codecs
import io
import zipfile
from datetime import date

import pytest

from tenders.models import Tender

from .conftest import import_file, table, upload, xlsx

pytestmark = pytest.mark.django_db

HEADINGS = ["Reference", "Contract Description/Title", "Procurement activity"]
WINDOWS_TITLE = "Carers\u2019 support \u2013 £2m \u201cLot 1\u201d"


def rows_with(title):
    return [HEADINGS, ["GH-1", title, "Q3 2025"]]


@pytest.mark.parametrize(
    ("encoding", "expected_name"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with BOM"),
        ("cp1252", "Windows-1252"),
        ("utf-16", "UTF-16"),
    ],
)
def test_csv_in_each_encoding_excel_writes_imports_the_same_text(
    gateshead_client, gateshead, encoding, expected_name
):
    data = table(rows_with(WINDOWS_TITLE), encoding=encoding)

    report = import_file(gateshead_client, gateshead, "tenders.csv", data)

    assert report.encoding == expected_name
    tender = Tender.objects.get(reference="GH-1")
    assert tender.title == WINDOWS_TITLE
    assert tender.procurement_start == date(2025, 7, 1)


def test_bom_does_not_leak_into_the_first_heading(gateshead_client, gateshead):
    data = codecs.BOM_UTF8 + table(rows_with("Day services"))

    report = import_file(gateshead_client, gateshead, "tenders.csv", data)

    assert report.columns[0].heading == "Reference"
    assert report.columns[0].column.field == "reference"


@pytest.mark.parametrize("lineterminator", ["\r\n", "\n", "\r"])
def test_any_line_ending_with_blank_trailing_lines(
    gateshead_client, gateshead, lineterminator
):
    data = table(
        [*rows_with("Day services"), ["GH-2", "Night care", "TBC"]],
        lineterminator=lineterminator,
    )
    data += (lineterminator * 3).encode()

    report = import_file(gateshead_client, gateshead, "tenders.csv", data)

    assert (report.rows, report.new) == (2, 2)


def test_tab_separated_file_is_recognised_without_the_extension(
    gateshead_client, gateshead
):
    data = table(rows_with("Day services, with transport"), delimiter="\t")

    report = import_file(gateshead_client, gateshead, "tenders.txt", data)

    assert report.file_format == "TSV"
    assert Tender.objects.get().title == "Day services, with transport"


def test_undecodable_bytes_get_a_clear_message_not_a_500(gateshead_client, gateshead):
    # 0x81 is undefined in Windows-1252 and invalid on its own in UTF-8.
    data = table(rows_with("Day services")) + b"GH-2,Bad \x81 byte,TBC\r\n"

    response = upload(gateshead_client, gateshead, "tenders.csv", data)

    assert response.status_code == 400
    message = response.context["report"].errors[0].message
    assert "Line 3" in message
    assert "0x81" in message
    assert "CSV UTF-8" in message
    assert not Tender.objects.exists()


def test_xlsx_imports_text_numbers_and_dates(gateshead_client, gateshead):
    data = xlsx(
        [
            [*HEADINGS, "Contract end", "Estimated value (£)"],
            ["GH-1", "Supported living", "Spring 2025", date(2027, 3, 31), 250000],
            ["GH-2", "Day services", "2025/26", None, None],
        ]
    )

    report = import_file(gateshead_client, gateshead, "tenders.xlsx", data)

    assert (report.file_format, report.new) == ("XLSX", 2)
    living = Tender.objects.get(reference="GH-1")
    assert living.contract_end == date(2027, 3, 31)
    assert living.value_min == living.value_max == 250000
    assert Tender.objects.get(reference="GH-2").procurement_end == date(2026, 3, 31)


def test_xlsx_month_formatted_date_keeps_its_month(gateshead_client, gateshead):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADINGS)
    sheet.append(["GH-1", "Supported living", date(2025, 4, 1)])
    sheet["C2"].number_format = "mmm-yy"
    out = io.BytesIO()
    workbook.save(out)

    import_file(gateshead_client, gateshead, "tenders.xlsx", out.getvalue())

    tender = Tender.objects.get()
    assert tender.procurement_activity == "April 2025"
    assert tender.procurement_end == date(2025, 4, 30)


def test_file_over_five_megabytes_is_refused(gateshead_client, gateshead):
    data = table(rows_with("Day services")) + b" " * (5 * 1024 * 1024)

    response = upload(gateshead_client, gateshead, "tenders.csv", data)

    assert response.status_code == 400
    assert "limit is 5 MB" in response.context["report"].errors[0].message


def test_old_xls_file_is_refused_with_advice(gateshead_client, gateshead):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512

    response = upload(gateshead_client, gateshead, "tenders.xls", data)

    assert response.status_code == 400
    assert ".xlsx" in response.context["report"].errors[0].message


def _rezip(data: bytes, replace: dict[str, bytes] = (), add: dict = ()) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, dict(replace).get(item.filename, source.read(item)))
        for name, content in dict(add).items():
            target.writestr(name, content)
    return out.getvalue()


def test_xlsx_that_unpacks_to_a_huge_size_is_refused(gateshead_client, gateshead):
    bomb = _rezip(
        xlsx(rows_with("Day services")),
        add={"xl/media/padding.bin": b"\0" * 60_000_000},
    )
    assert len(bomb) < 5 * 1024 * 1024

    response = upload(gateshead_client, gateshead, "tenders.xlsx", bomb)

    assert response.status_code == 400
    assert "unpacks to" in response.context["report"].errors[0].message


def test_xlsx_compressed_beyond_any_real_table_is_refused(gateshead_client, gateshead):
    bomb = _rezip(
        xlsx(rows_with("Day services")),
        add={"xl/media/padding.bin": b"\0" * 20_000_000},
    )

    response = upload(gateshead_client, gateshead, "tenders.xlsx", bomb)

    assert response.status_code == 400
    assert "compressed" in response.context["report"].errors[0].message


def test_xlsx_with_an_entity_declaration_is_refused_before_parsing(
    gateshead_client, gateshead
):
    data = xlsx(rows_with("Day services"))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    evil = (
        b'<?xml version="1.0"?>'
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        + sheet.replace(b"Day services", b"&lol2;")
    )

    response = upload(
        gateshead_client,
        gateshead,
        "tenders.xlsx",
        _rezip(data, replace={"xl/worksheets/sheet1.xml": evil}),
    )

    assert response.status_code == 400
    assert "DOCTYPE" in response.context["report"].errors[0].message
    assert not Tender.objects.exists()


def test_xlsx_declaring_an_absurd_row_count_is_read_for_its_real_rows(
    gateshead_client, gateshead
):
    data = xlsx(rows_with("Day services"))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    huge = sheet.replace(
        b'<dimension ref="A1:C2" />', b'<dimension ref="A1:C1048576" />'
    )
    assert huge != sheet

    response = upload(
        gateshead_client,
        gateshead,
        "tenders.xlsx",
        _rezip(data, replace={"xl/worksheets/sheet1.xml": huge}),
    )

    assert response.status_code == 200
    assert response.context["report"].rows == 1


def test_table_with_more_rows_than_the_limit_is_refused(gateshead_client, gateshead):
    rows = [HEADINGS] + [[f"GH-{n}", f"Lot {n}", "TBC"] for n in range(10_001)]

    response = upload(gateshead_client, gateshead, "tenders.csv", table(rows))

    assert response.status_code == 400
    assert "more than 10,000 rows" in response.context["report"].errors[0].message
    assert not Tender.objects.exists()


def test_empty_file_is_refused(gateshead_client, gateshead):
    response = upload(gateshead_client, gateshead, "tenders.csv", b"")

    assert response.status_code == 400


def test_xlsx_with_broken_sheet_xml_is_refused_not_a_500(gateshead_client, gateshead):
    data = xlsx(rows_with("Day services"))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")

    response = upload(
        gateshead_client,
        gateshead,
        "tenders.xlsx",
        _rezip(data, replace={"xl/worksheets/sheet1.xml": sheet[:-40]}),
    )

    assert response.status_code == 400
    assert "could not be read" in response.context["report"].errors[0].message
