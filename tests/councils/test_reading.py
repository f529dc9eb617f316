"""The shared table reader: how spreadsheet cells read, for every import that uses it."""

import io
from datetime import date

from openpyxl import Workbook

from councils.reading import open_table


def _workbook(value, number_format) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date"])
    sheet.append([value])
    sheet["A2"].number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def _cell(file, **kwargs) -> str:
    [(_number, [cell])] = list(open_table(file, "t.xlsx", **kwargs).rows)
    return cell


def test_a_date_cell_reads_as_iso_unless_days_in_words_are_asked_for():
    assert _cell(_workbook(date(2027, 4, 1), "dd/mm/yyyy")) == "2027-04-01"
    assert (
        _cell(_workbook(date(2027, 4, 1), "dd/mm/yyyy"), days_in_words=True)
        == "1 April 2027"
    )


def test_a_date_cell_formatted_as_a_month_reads_as_the_month():
    assert _cell(_workbook(date(2027, 4, 1), "mmm-yy")) == "April 2027"
