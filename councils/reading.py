"""Reading tables from uploaded files: CSV, TSV and XLSX, safely.

Files are checked before they are parsed: a size limit, the text encoding (UTF-8,
UTF-8 with a byte order mark, UTF-16 with one, or Windows-1252, which is what Excel
in the UK saves as plain "CSV"), and for XLSX the archive's uncompressed size,
compression ratio and XML prologues (no DOCTYPE or entity declarations). Rows are
then read one at a time, so memory does not grow with the file, and counted as they
are read: a sheet's declared size (XLSX ``<dimension>``) is never trusted, and a file
that goes on past the row limit, blank rows included, is refused as soon as it does.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import BinaryIO

from django.utils.formats import date_format

CHUNK = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
XML_PROLOGUE_BYTES = 4096
# Blank rows are skipped, but reading them still takes time: a file may have this
# many more rows, blank or not, than the row limit before it is refused.
BLANK_ROWS_ALLOWED = 1000


class TableRefused(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


def normalise_heading(text: str) -> str:
    """A heading reduced to letters and digits, for matching whatever its case,
    spaces and punctuation: "Area code", "area_code" and "AREA-CODE" are one."""
    text = str(text or "").casefold().replace("&", "and").replace("£", "")
    return re.sub(r"[\W_]+", "", text)


@dataclass(frozen=True)
class RowError:
    """One problem in an imported table, where it is and why."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        column = f", column “{self.column}”" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int = 5 * 1024 * 1024
    max_rows: int = 10_000
    max_xlsx_uncompressed_bytes: int = 50 * 1024 * 1024
    max_xlsx_compression_ratio: int = 100
    max_xlsx_members: int = 200


DEFAULT_LIMITS = ImportLimits()


@dataclass
class Table:
    file_format: str
    encoding: str
    headings: list[str]
    rows: Iterator[tuple[int, list[str]]]
    """Data rows as (spreadsheet row number, cells), blank rows skipped."""


def file_size(file: BinaryIO) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, io.SEEK_END)
        file.seek(position)
    return size


def open_table(
    file: BinaryIO,
    file_name: str,
    limits: ImportLimits = DEFAULT_LIMITS,
    *,
    days_in_words: bool = False,
) -> Table:
    """Check the file and return its headings and a row iterator.

    An XLSX date cell reads as ISO ("2027-04-01"), or with ``days_in_words`` as a
    council writes a day ("1 April 2027"); a cell formatted as a month reads as
    the month ("April 2027") either way. Raises TableRefused with a message for
    the person importing.
    """
    size = file_size(file)
    if size > limits.max_file_bytes:
        raise TableRefused(
            f"The file is {size / 1_048_576:.1f} MB; the limit is "
            f"{limits.max_file_bytes / 1_048_576:.0f} MB. Split it, or remove "
            "columns and rows that are not part of the table."
        )
    if size == 0:
        raise TableRefused("The file is empty.")
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(XLSX_MAGIC):
        return _open_xlsx(file, limits, days_in_words)
    if head.startswith(OLE2_MAGIC):
        raise TableRefused(
            "This is an old Excel (.xls) file. Save it as Excel Workbook (.xlsx) "
            "or CSV UTF-8 and import that."
        )
    return _open_text(file, file_name, limits)


def _open_text(file: BinaryIO, file_name: str, limits: ImportLimits) -> Table:
    encoding = detect_encoding(file)
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    first_line = text.readline()
    text.detach()  # leaves the caller's file open
    tab_separated = file_name.lower().endswith((".tsv", ".tab")) or (
        first_line.count("\t") > first_line.count(",")
    )
    rows = _numbered(_text_rows(file, encoding, tab_separated), limits)
    headings = _first_row(rows)
    return Table(
        file_format="TSV" if tab_separated else "CSV",
        encoding=ENCODING_NAMES[encoding],
        headings=headings,
        rows=rows,
    )


def _text_rows(file: BinaryIO, encoding: str, tab_separated: bool):
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        yield from csv.reader(text, delimiter="\t" if tab_separated else ",")
    finally:
        text.detach()


ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}


def detect_encoding(file: BinaryIO) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Reads the file in chunks through incremental decoders, so nothing is kept.
    """
    file.seek(0)
    start = file.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif start.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "cp1252"]
    failure = None
    for encoding in candidates:
        failure = _decode_failure(file, encoding)
        if failure is None:
            return encoding
    line, byte = failure
    raise TableRefused(
        f"Line {line} holds a byte (0x{byte:02X}) that is not text in UTF-8 or "
        "Windows-1252. Open the file in Excel and save it as “CSV UTF-8 (Comma "
        "delimited)”, then import it again."
    )


def _decode_failure(file: BinaryIO, encoding: str) -> tuple[int, int] | None:
    """(line number, byte) of the first byte the encoding cannot decode, or None."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines_before = 1
    while True:
        chunk = file.read(CHUNK)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            return (
                lines_before + chunk.count(b"\n", 0, error.start),
                chunk[error.start] if error.start < len(chunk) else 0,
            )
        if "\x00" in text:
            return lines_before + text.count("\n", 0, text.index("\x00")), 0
        lines_before += chunk.count(b"\n")
        if not chunk:
            return None


def _numbered(rows, limits: ImportLimits) -> Iterator[tuple[int, list[str]]]:
    count = 0
    too_many = (
        f"The table has more than {limits.max_rows:,} rows. Split it into smaller "
        "files."
    )
    try:
        for number, row in enumerate(rows, start=1):
            if number > limits.max_rows + 1 + BLANK_ROWS_ALLOWED:
                raise TableRefused(
                    f"{too_many} (It goes on past row {number - 1:,}, counting "
                    "blank rows: delete the empty rows below the table.)"
                )
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            count += 1
            if count > limits.max_rows + 1:
                raise TableRefused(too_many)
            yield number, cells
    except csv.Error as error:
        raise TableRefused(f"The file is not a readable table: {error}.") from None


def _first_row(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    try:
        _number, headings = next(rows)
    except StopIteration:
        raise TableRefused("The file has no headings and no rows.") from None
    return headings


def _open_xlsx(file: BinaryIO, limits: ImportLimits, days_in_words: bool) -> Table:
    _check_archive(file, limits)
    from openpyxl import load_workbook

    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for broken files
        raise TableRefused(
            f"The file could not be read as an Excel workbook ({type(error).__name__})."
        ) from None
    sheet = workbook.worksheets[0]
    # The sheet's <dimension> is what the writer claims, not what the sheet holds:
    # openpyxl stops at the claimed last row unless told to forget it.
    sheet.reset_dimensions()
    rows = _numbered(_xlsx_rows(workbook, sheet, days_in_words), limits)
    headings = _first_row(rows)
    return Table(file_format="XLSX", encoding="", headings=headings, rows=rows)


def _check_archive(file: BinaryIO, limits: ImportLimits) -> None:
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise TableRefused("The file looks like a damaged Excel workbook.") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_xlsx_members:
            raise TableRefused("The workbook has too many parts to be a plain table.")
        total = sum(member.file_size for member in members)
        if total > limits.max_xlsx_uncompressed_bytes:
            raise TableRefused(
                f"The workbook unpacks to {total / 1_048_576:.0f} MB; the limit is "
                f"{limits.max_xlsx_uncompressed_bytes / 1_048_576:.0f} MB."
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if (
                member.file_size > 1_048_576
                and ratio > limits.max_xlsx_compression_ratio
            ):
                raise TableRefused(
                    "The workbook is compressed far more than a real table can be, "
                    "so it is refused."
                )
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as part:
                    prologue = part.read(XML_PROLOGUE_BYTES)
                if re.search(rb"<!(DOCTYPE|ENTITY)", prologue, re.IGNORECASE):
                    raise TableRefused(
                        "The workbook contains XML declarations (DOCTYPE or ENTITY) "
                        "that Excel never writes, so it is refused."
                    )


def _xlsx_rows(workbook, sheet, days_in_words: bool) -> Iterator[list[str]]:
    try:
        for row in sheet.iter_rows():
            yield [_xlsx_text(cell, days_in_words) for cell in row]
    except TableRefused:
        raise
    except Exception as error:  # broken XML surfaces only as rows are read
        raise TableRefused(
            f"The workbook's first sheet could not be read ({type(error).__name__})."
        ) from None
    finally:
        workbook.close()


def _xlsx_text(cell, days_in_words: bool) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        # Excel turns a typed "April 2025" into 1 April 2025 shown as a month:
        # keep the month when the cell's format shows no day.
        number_format = (getattr(cell, "number_format", "") or "").lower()
        if "d" not in number_format.replace("[red]", ""):
            return date_format(day, "F Y")
        return date_format(day, "j F Y") if days_in_words else day.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
