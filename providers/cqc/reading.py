"""Opening CQC's files: CSV (any preamble, BOM, CRLF), ODS or XLSX.

ODS is streamed row by row (``ods.py``: memory stays flat on CQC's national files);
CSV is streamed with the csv module.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from ..models import CqcImport
from .cells import text
from .ods import OdsError, iter_sheets

Kind = CqcImport.Kind

# Headings that identify each of CQC's files (lower case). The care directory's
# "Local authority" was "Local Authority" in older files; headings are compared
# case-insensitively.
SIGNATURES = {
    Kind.DIRECTORY: {"cqc location id (for office use only)", "service types"},
    Kind.ACTIVE_LOCATIONS: {
        "location id",
        "location latest overall rating",
        "care homes beds",
    },
    Kind.LATEST_RATINGS: {"location id", "domain", "latest rating"},
}
FILE_NAMES = {
    Kind.DIRECTORY: "CQC's care directory (CSV)",
    Kind.ACTIVE_LOCATIONS: "CQC's care directory with filters (HSCA active locations)",
    Kind.LATEST_RATINGS: "CQC's latest ratings file",
}
# Older latest ratings files head the key question column "Key Question".
HEADING_ALIASES = {"key question": "domain"}
HEADER_SEARCH_ROWS = 30
PRODUCED_ON = re.compile(r"produced on (\d{1,2} [A-Za-z]+ \d{4})", re.IGNORECASE)
# CQC names its files like "01_September_2026_HSCA_Active_Locations.ods" or
# "01 November 2025 Latest ratings.ods".
DATE_IN_NAME = re.compile(r"(\d{1,2})[ _-]([A-Za-z]+)[ _-](\d{4})")
ZIP_MAGIC = b"PK\x03\x04"


class NotACqcFile(ValueError):
    """The file is not one of CQC's files, or not the kind expected."""


def normalise_heading(value) -> str:
    return " ".join(text(value).lower().split())


@dataclass
class Table:
    """The rows of one of CQC's files after its header."""

    kind: str
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list]]
    produced_on: date | None
    sheet: str = ""
    spelling: dict[str, str] | None = None

    def column(self, heading: str) -> int:
        return self.header.index(heading)

    def spelled(self, heading: str) -> str:
        """A heading as the file spells it, for messages."""
        return (self.spelling or {}).get(heading, heading)


def _kind_of(header: list[str]) -> str | None:
    present = set(header)
    for kind, needed in SIGNATURES.items():
        if needed <= present:
            return kind
    return None


def _date_in_text(value: str) -> date | None:
    match = PRODUCED_ON.search(value)
    candidates = [match.group(1)] if match else []
    candidates += [" ".join(m) for m in DATE_IN_NAME.findall(value)]
    for candidate in candidates:
        for fmt in ("%d %B %Y", "%d %b %Y"):
            try:
                return datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
    return None


def _find_header(rows: Iterator[list], start: int = 1):
    """(kind, header, row number, preamble text), reading at most 30 rows."""
    preamble = []
    for number, row in enumerate(rows, start=start):
        header = [normalise_heading(cell) for cell in row]
        header = [HEADING_ALIASES.get(h, h) for h in header]
        while header and not header[-1]:
            header.pop()
        kind = _kind_of(header)
        if kind:
            spelling = {
                h: " ".join(text(c).split()) for h, c in zip(header, row, strict=False)
            }
            return kind, (header, spelling), number, " ".join(preamble)
        preamble.append(" ".join(text(cell) for cell in row if text(cell)))
        if number >= start + HEADER_SEARCH_ROWS:
            break
    return None, None, None, " ".join(preamble)


def _decoded(binary) -> io.TextIOBase:
    head = binary.read(4096)
    binary.seek(0)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    else:
        try:
            head.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError as error:
            # A cut in the middle of a character at the end of the sample is fine.
            encoding = "utf-8-sig" if error.start > len(head) - 4 else "cp1252"
    return io.TextIOWrapper(binary, encoding=encoding, newline="")


def _csv_table(binary, file_name: str) -> Table:
    reader = csv.reader(_decoded(binary))
    kind, header, header_row, preamble = _find_header(reader)
    if kind is None:
        raise NotACqcFile(_not_cqc(file_name))
    rows = ((reader.line_num, row) for row in reader)
    produced_on = _date_in_text(preamble) or _date_in_text(file_name)
    header, spelling = header
    return Table(kind, header, header_row, rows, produced_on, spelling=spelling)


def _spreadsheet_table(binary, file_name: str) -> Table:
    notes = []
    try:
        for name, rows in iter_sheets(binary):
            kind, header, header_row, preamble = _find_header(rows)
            if kind is None:
                notes.append(preamble)
                continue
            numbered = enumerate(rows, start=header_row + 1)
            produced_on = (
                _date_in_text(preamble)
                or _date_in_text(" ".join(notes))
                or _date_in_text(file_name)
            )
            header, spelling = header
            return Table(
                kind, header, header_row, numbered, produced_on, name, spelling
            )
    except OdsError as error:
        raise NotACqcFile(f"{file_name} cannot be read: {error}") from None
    raise NotACqcFile(_not_cqc(file_name))


def _not_cqc(file_name: str) -> str:
    return (
        f"{file_name} is not one of CQC's files: no row in the first "
        f"{HEADER_SEARCH_ROWS} has the headings of {', '.join(FILE_NAMES.values())}."
    )


def open_table(binary, *, file_name: str, expected: set[str]) -> Table:
    """The table in a CQC file, checked to be one of the ``expected`` kinds."""
    head = binary.read(4)
    binary.seek(0)
    if head == ZIP_MAGIC:
        table = _spreadsheet_table(binary, file_name)
    else:
        table = _csv_table(binary, file_name)
    if table.kind not in expected:
        wanted = " or ".join(FILE_NAMES[k] for k in expected)
        raise NotACqcFile(
            f"{file_name} is {FILE_NAMES[table.kind]}, not {wanted}. "
            + IMPORT_HINT[table.kind]
        )
    return table


IMPORT_HINT = {
    Kind.DIRECTORY: "Import it with import_cqc_directory.",
    Kind.ACTIVE_LOCATIONS: "Import it with import_cqc_ratings.",
    Kind.LATEST_RATINGS: "Import it with import_cqc_ratings.",
}
