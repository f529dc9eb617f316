"""Importing a council's tender table: validated as a whole, written as a whole.

``tender_table_import`` is the one code path for the admin's preview and confirm
and for the ``import_tenders`` command. It reads the file row by row (see
``councils.reading``), cleans each row in plain Python, looks existing tenders up a
batch at a time, and writes new rows and changes with PostgreSQL COPY (or
``executemany`` elsewhere) inside one transaction. If any row is wrong, nothing is
written and every bad row is reported with its row number, column and reason.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from councils.downloads import FORMULA_TRIGGERS
from councils.models import Council
from councils.reading import DEFAULT_LIMITS, ImportLimits, TableRefused, open_table

from .columns import BY_FIELD, HEADINGS, Column, normalise_heading
from .dates import parse_date_window
from .models import ImportRecord, Tender, generated_reference_prefix

BATCH_SIZE = 2000
VALUE_CACHE_SIZE = 5000
ANALYZE_AFTER_NEW_ROWS = 1000
PREVIEW_ROWS = 200
ERRORS_KEPT = 500
FOOTNOTE_MARKERS = "*†‡"
FOOTNOTE_NOTE = "Marked “{marker}” in the council's published table: see its footnote."

# Columns written from a table (value fills value_min and value_max).
TEXT_LIMITS = {
    name: Tender._meta.get_field(name).max_length
    for name in (
        "reference",
        "title",
        "service_area",
        "procurement_activity",
        "commencement",
        "contact_name",
        "contact_email",
        "notice_url",
        "ocid",
    )
}
DATE_FIELDS = {
    "procurement_activity": ("procurement_start", "procurement_end"),
    "commencement": ("commencement_start", "commencement_end"),
}
STATUS_BY_NAME = {
    normalise_heading(text): value
    for value, label in Tender.Status.choices
    for text in (value, label)
} | {normalise_heading("Open"): Tender.Status.OPEN}


@dataclass(frozen=True)
class ColumnMatch:
    heading: str
    column: Column | None

    @property
    def label(self) -> str:
        return self.column.heading if self.column else "(ignored: no heading)"


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        column = f", column “{self.column}”" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass(frozen=True)
class RowPreview:
    row: int
    outcome: str
    reference: str
    title: str
    changes: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import found and did, for the preview, the command and the record."""

    council: Council
    file_name: str
    dry_run: bool
    file_format: str = ""
    encoding: str = ""
    columns: list[ColumnMatch] = field(default_factory=list)
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[RowPreview] = field(default_factory=list)
    written: bool = False
    record: ImportRecord | None = None

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def add_error(self, row, column, value, message) -> None:
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(RowError(row, column, str(value)[:200], message))

    def summary(self) -> str:
        if self.has_errors:
            return (
                f"{self.error_count} problem{'s' if self.error_count != 1 else ''} "
                "found: nothing was imported."
            )
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.rows} rows: {self.new} new, {self.updated} updated and "
            f"{self.unchanged} unchanged tenders {verb} imported."
            if self.rows
            else "The table has headings but no rows."
        )


def tender_table_import(
    *,
    council: Council,
    file: BinaryIO,
    file_name: str,
    user=None,
    dry_run: bool,
    limits: ImportLimits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a tender table for one council, all or nothing.

    ``user`` is the commissioner importing (None for the command line, which is
    trusted); they must be able to edit ``council`` and hold the import permission.
    A dry run reports what would happen and writes nothing. A real run is recorded
    as an ``ImportRecord`` whether it succeeds or is refused.
    """
    if user is not None and not (
        user.has_perm("tenders.import_tender")
        and Council.objects.editable_by(user).filter(pk=council.pk).exists()
    ):
        raise PermissionDenied("You may not import tenders for this council.")
    report = ImportReport(council=council, file_name=file_name, dry_run=dry_run)
    try:
        with transaction.atomic():
            if not dry_run:
                # One import per council at a time: references are numbered here.
                Council.objects.select_for_update().filter(pk=council.pk).first()
            _TableImport(report, council, dry_run, progress).run(file, limits)
            if report.has_errors:
                transaction.set_rollback(True)
            else:
                report.written = not dry_run
                if report.written and report.new >= ANALYZE_AFTER_NEW_ROWS:
                    _refresh_statistics()
    except TableRefused as error:
        report.add_error(None, "", "", str(error))
    except (IntegrityError, DatabaseError) as error:
        report.written = False
        report.add_error(
            None,
            "",
            "",
            f"The database refused the import, so nothing was written: "
            f"{str(error).splitlines()[0]}",
        )
    if not dry_run:
        report.record = _record(report, user)
    return report


def _record(report: ImportReport, user) -> ImportRecord:
    return ImportRecord.objects.create(
        council=report.council,
        user=user,
        file_name=report.file_name[:255],
        file_format=report.file_format or "?",
        encoding=report.encoding,
        outcome=(
            ImportRecord.Outcome.REFUSED
            if report.has_errors
            else ImportRecord.Outcome.IMPORTED
        ),
        rows=report.rows,
        new=report.new,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=report.error_count,
        error_summary="\n".join(str(error) for error in report.errors[:20]),
    )


def normalise_title(title: str) -> str:
    """A title reduced for matching: case, punctuation, spacing and markers ignored."""
    title = title.casefold().replace("&", " and ").rstrip(FOOTNOTE_MARKERS + " ")
    return " ".join(re.sub(r"[\W_]+", " ", title).split())


@dataclass
class _Row:
    number: int
    values: dict
    key: tuple[str, str]
    notes_marker: str = ""


class _TableImport:
    """One pass over a table: clean rows, classify them by batch, write if clean."""

    def __init__(self, report, council, dry_run, progress):
        self.report = report
        self.council = council
        self.dry_run = dry_run
        self.progress = progress
        self.date_cache: dict[str, tuple] = {}
        self.value_cache: dict[tuple[str, str], object] = {}
        self.keys: dict[tuple[str, str], int] = {}
        self.title_matched: dict[int, int] = {}
        self.titles: dict[str, list[int]] | None = None
        self.deferred: list[_Row] = []
        self.next_number: int | None = None
        self.now = timezone.now()
        self.url_validator = URLValidator(schemes=["http", "https"])
        self.email_validator = EmailValidator()
        self.council_names = {
            normalise_heading(text)
            for text in (council.name, council.slug, council.gss_code)
        }

    # Reading and cleaning -------------------------------------------------------

    def run(self, file, limits) -> None:
        table = open_table(file, self.report.file_name, limits)
        self.report.file_format = table.file_format
        self.report.encoding = table.encoding
        self.columns = self._match_columns(table.headings)
        if self.report.has_errors:
            return
        self.fields = [column.field for _i, column in self.columns if column]
        self.has_reference = "reference" in self.fields
        self.compared = self._compared()
        batch: list[_Row] = []
        for number, cells in table.rows:
            self.report.rows += 1
            row = self._clean(number, cells)
            if row is not None:
                batch.append(row)
            if len(batch) >= BATCH_SIZE:
                self._process(batch)
                batch = []
                if self.progress:
                    self.progress(self.report.rows)
        self._process(batch)
        if self.deferred:
            self._process(self.deferred, assign_references=True)
        if self.progress:
            self.progress(self.report.rows)

    def _match_columns(self, headings: list[str]) -> list[tuple[int, Column | None]]:
        matched: list[tuple[int, Column | None]] = []
        seen: dict[str, str] = {}
        for index, heading in enumerate(headings):
            if not heading:
                matched.append((index, None))
                self.report.columns.append(ColumnMatch(heading, None))
                continue
            column = HEADINGS.get(normalise_heading(heading))
            if column is None:
                self.report.add_error(
                    1,
                    heading,
                    heading,
                    "This heading is not one the portal knows. Rename it to one of "
                    "the headings listed on the import page, or delete the column.",
                )
                continue
            if column.field in seen:
                self.report.add_error(
                    1,
                    heading,
                    heading,
                    f"This column and “{seen[column.field]}” are both "
                    f"“{column.heading}”. Keep one of them.",
                )
                continue
            seen[column.field] = heading
            matched.append((index, column))
            self.report.columns.append(ColumnMatch(heading, column))
        for column in BY_FIELD.values():
            if column.required and column.field not in seen:
                self.report.add_error(
                    1,
                    column.heading,
                    "",
                    f"The table needs a “{column.heading}” column (or one of its "
                    "other names).",
                )
        if "value" in seen and ({"value_min", "value_max"} & seen.keys()):
            self.report.add_error(
                1,
                seen["value"],
                seen["value"],
                "Use either one value column or the from/to columns, not both.",
            )
        return matched

    def _clean(self, number: int, cells: list[str]) -> _Row | None:
        values: dict = {}
        errors_before = self.report.error_count
        marker = ""
        width = len(cells)
        for index, column in self.columns:
            raw = cells[index] if index < width else ""
            if column is None:
                if raw:
                    self.report.add_error(
                        number, f"column {index + 1}", raw, "This cell has no heading."
                    )
                continue
            try:
                cleaned = self._clean_value(column.field, raw)
            except ValueError as error:
                self.report.add_error(number, column.heading, raw, str(error))
                continue
            if column.field == "title":
                cleaned, marker = cleaned
            if column.field == "value":
                values["value_min"], values["value_max"] = cleaned
            elif column.field in DATE_FIELDS:
                text, start, end = cleaned
                values[column.field] = text
                first, last = DATE_FIELDS[column.field]
                values[first], values[last] = start, end
            elif column.field != "council":
                values[column.field] = cleaned
        for index in range(len(self.columns), width):
            if cells[index]:
                self.report.add_error(
                    number,
                    f"column {index + 1}",
                    cells[index],
                    "This cell is beyond the last heading.",
                )
        low, high = values.get("value_min"), values.get("value_max")
        if low is not None and high is not None and low > high:
            self.report.add_error(
                number,
                BY_FIELD["value_min"].heading,
                f"{low} > {high}",
                "The value from is more than the value to.",
            )
        # Keys are checked even on rows with other problems, so a repeat is named.
        key = None
        if values.get("reference"):
            key = ("reference", values["reference"])
        elif values.get("title"):
            key = ("title", normalise_title(values["title"]))
        if key in self.keys:
            what = "reference" if key[0] == "reference" else "title"
            self.report.add_error(
                number,
                BY_FIELD[key[0]].heading,
                values[key[0]],
                f"Row {self.keys[key]} has the same {what}: each tender may appear "
                "once.",
            )
        elif key is not None:
            self.keys[key] = number
        if self.report.error_count > errors_before:
            return None
        return _Row(number, values, key, marker)

    def _clean_value(self, name: str, raw: str):
        if name == "title":
            if not raw:
                raise ValueError("Every row needs a title.")
            stripped = raw.rstrip(FOOTNOTE_MARKERS + " ")
            marker = raw[len(stripped) :].strip()
            if not stripped:
                raise ValueError("The title is only a footnote marker.")
            return self._text(name, stripped), marker
        if name in DATE_FIELDS:
            return self._date_text(name, raw)
        if name == "contract_end":
            if not raw:
                return None
            window = self._window(raw)
            return window[2] if window[2] else None
        if name in ("value_min", "value_max", "value"):
            # Tables repeat values, addresses and dates: each is checked once.
            cached = self.value_cache.get((name, raw))
            if cached is None:
                cached = _money_range(raw) if name == "value" else _money(raw)
                self._remember(name, raw, cached)
            return cached
        if name == "status":
            if not raw:
                return Tender.Status.PLANNED
            try:
                return STATUS_BY_NAME[normalise_heading(raw)]
            except KeyError:
                raise ValueError(
                    "Use one of: "
                    + ", ".join(str(label) for label in Tender.Status.labels)
                    + "."
                ) from None
        if name == "contact_email" and raw and (name, raw) not in self.value_cache:
            try:
                self.email_validator(raw)
            except ValidationError:
                raise ValueError("This is not an email address.") from None
            self._remember(name, raw, raw)
        if name == "notice_url" and raw and (name, raw) not in self.value_cache:
            try:
                self.url_validator(raw)
            except ValidationError:
                raise ValueError(
                    "Give the full web address, starting https://."
                ) from None
            self._remember(name, raw, raw)
        if name == "council":
            if raw and normalise_heading(raw) not in self.council_names:
                raise ValueError(
                    f"This row is for another council; this import is for "
                    f"{self.council.name} only."
                )
            return raw
        if name in TEXT_LIMITS:
            return self._text(name, raw)
        return raw

    def _remember(self, name: str, raw: str, cleaned) -> None:
        # Bounded, so that a file of all-different values keeps memory flat.
        if len(self.value_cache) >= VALUE_CACHE_SIZE:
            self.value_cache.clear()
        self.value_cache[(name, raw)] = cleaned

    def _text(self, name: str, raw: str) -> str:
        # Our own exports escape formula-like text with an apostrophe; take it off.
        if raw.startswith("'") and raw[1:].startswith(FORMULA_TRIGGERS):
            raw = raw[1:]
        limit = TEXT_LIMITS[name]
        if len(raw) > limit:
            raise ValueError(f"This is {len(raw)} characters; the limit is {limit}.")
        return raw

    def _window(self, raw: str) -> tuple:
        cached = self.date_cache.get(raw)
        if cached is None:
            window = parse_date_window(raw)  # raises ValueError with a message
            cached = (raw, window.start, window.end) if window else (raw, None, None)
            self.date_cache[raw] = cached
        return cached

    def _date_text(self, name: str, raw: str) -> tuple:
        self._text(name, raw)
        return self._window(raw)

    # Matching and writing ------------------------------------------------------

    def _process(self, batch: list[_Row], assign_references: bool = False) -> None:
        if not batch:
            return
        existing = self._existing(batch)
        inserts, updates = [], []
        for row in batch:
            found = existing.get(row.key)
            if (
                found is None
                and row.key[0] == "title"
                and self.has_reference
                and not assign_references
            ):
                # A blank reference in a table of references: number it once
                # every reference in the file is known.
                self.deferred.append(row)
                continue
            if isinstance(found, list):
                self.report.add_error(
                    row.number,
                    BY_FIELD["title"].heading,
                    row.values["title"],
                    "More than one of the council's tenders has this title; add a "
                    "Reference column to say which.",
                )
                continue
            if found is not None:
                # Only a title match can meet another row's tender: a reference row
                # for it (earlier, in keys; or later, in title_matched).
                if row.key[0] == "title":
                    first = self.keys.get(("reference", found["reference"]))
                    if first is None:
                        first = self.title_matched.setdefault(found["id"], row.number)
                else:
                    first = self.title_matched.get(found["id"], row.number)
                if first != row.number:
                    self.report.add_error(
                        row.number,
                        BY_FIELD["title"].heading,
                        row.values["title"],
                        f"Row {first} is the same tender ({found['reference']}).",
                    )
                    continue
            self._notes(row, found)
            if found is None:
                self.report.new += 1
                inserts.append(row)
                self._preview(row, "new", row.values.get("reference", ""), ())
                continue
            changes = tuple(
                name for name, value in row.values.items() if found[name] != value
            )
            if changes:
                self.report.updated += 1
                updates.append((found, row))
            else:
                self.report.unchanged += 1
            self._preview(
                row, "updated" if changes else "unchanged", found["reference"], changes
            )
        if self.report.has_errors or self.dry_run:
            return
        self._insert(inserts)
        self._update(updates)

    def _preview(self, row, outcome, reference, changes) -> None:
        if len(self.report.preview) < PREVIEW_ROWS:
            labels = tuple(
                BY_FIELD[name].heading for name in changes if name in BY_FIELD
            )
            self.report.preview.append(
                RowPreview(row.number, outcome, reference, row.values["title"], labels)
            )

    def _notes(self, row: _Row, found: dict | None) -> None:
        if not row.notes_marker:
            return
        note = FOOTNOTE_NOTE.format(marker=row.notes_marker)
        current = row.values.get("notes")
        if current is None:
            current = found["notes"] if found else ""
        if note not in current:
            current = f"{current}\n{note}".strip()
        row.values["notes"] = current

    def _compared(self) -> list[str]:
        names = ["id", "reference", "title", "notes"]
        for name in self.fields:
            if name == "value":
                names += ["value_min", "value_max"]
            elif name in DATE_FIELDS:
                names += [name, *DATE_FIELDS[name]]
            elif name != "council":
                names.append(name)
        return list(dict.fromkeys(names))

    def _existing(self, batch: list[_Row]) -> dict:
        """Existing tenders of this council for the batch's keys."""
        tenders = Tender.objects.filter(council=self.council).order_by()
        found: dict = {}
        references = [row.key[1] for row in batch if row.key[0] == "reference"]
        if references:
            for values in tenders.filter(reference__in=references).values(
                *self.compared
            ):
                found[("reference", values["reference"])] = values
        wanted = {row.key for row in batch if row.key[0] == "title"}
        if wanted:
            if self.titles is None:
                self.titles = {}
                for pk, title in tenders.values_list("id", "title").iterator():
                    self.titles.setdefault(normalise_title(title), []).append(pk)
            ids = {}
            for key in wanted:
                pks = self.titles.get(key[1], [])
                if len(pks) > 1:
                    found[key] = pks
                elif pks:
                    ids[pks[0]] = key
            for values in tenders.filter(id__in=ids).values(*self.compared):
                found[ids[values["id"]]] = values
        return found

    def _reference_for(self, row: _Row) -> str:
        prefix = generated_reference_prefix(self.council)
        if self.next_number is None:
            taken = Tender.objects.filter(
                council=self.council, reference__startswith=prefix
            ).values_list("reference", flat=True)
            numbers = [
                int(ref[len(prefix) :]) for ref in taken if ref[len(prefix) :].isdigit()
            ]
            self.next_number = max(numbers, default=0) + 1
        while ("reference", f"{prefix}{self.next_number:04d}") in self.keys:
            self.next_number += 1
        reference = f"{prefix}{self.next_number:04d}"
        self.next_number += 1
        return reference

    def _insert(self, rows: list[_Row]) -> None:
        if not rows:
            return
        names = [f.attname for f in INSERT_FIELDS]
        defaults = {f.attname: f.get_default() for f in INSERT_FIELDS}
        defaults |= {
            "council_id": self.council.pk,
            "published_at": self.now,
            "updated_at": self.now,
            "is_demo": False,
        }
        tuples = []
        for row in rows:
            values = defaults | row.values
            if not values.get("reference"):
                values["reference"] = self._reference_for(row)
            tuples.append(tuple(values.get(name) for name in names))
        _write_rows(Tender._meta.db_table, names, tuples)

    def _update(self, updates: list[tuple[dict, _Row]]) -> None:
        if not updates:
            return
        names = [name for name in self.compared if name not in ("id", "reference")]
        tuples = [
            (
                found["id"],
                *(row.values.get(name, found[name]) for name in names),
                self.now,
            )
            for found, row in updates
        ]
        _update_rows(self.council.pk, [*names, "updated_at"], tuples)


INSERT_FIELDS = [
    f for f in Tender._meta.concrete_fields if not f.primary_key and f.column
]


# The SQL below is built from the model's own table and column names, never from
# the file: every value goes through COPY or a query parameter.


def _quoted(names: list[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _write_rows(table: str, names: list[str], rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (
                f"COPY {connection.ops.quote_name(table)} ({_quoted(names)}) FROM STDIN"
            )
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({_quoted(names)}) "  # noqa: S608
                f"VALUES ({placeholders})",
                rows,
            )


def _update_rows(council_id: int, names: list[str], rows: list[tuple]) -> None:
    table = connection.ops.quote_name(Tender._meta.db_table)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS tender_import_changes "  # noqa: S608
                f"ON COMMIT DROP AS SELECT id, {_quoted(names)} FROM {table} "
                "WITH NO DATA"
            )
            cursor.execute("TRUNCATE tender_import_changes")
            with cursor.copy(
                f"COPY tender_import_changes (id, {_quoted(names)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(
                f"{quote(name)} = c.{quote(name)}" for name in names
            )
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
                "FROM tender_import_changes AS c "
                "WHERE t.id = c.id AND t.council_id = %s",
                [council_id],
            )
            cursor.execute("TRUNCATE tender_import_changes")
        else:
            assignments = ", ".join(f"{quote(name)} = %s" for name in names)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s AND council_id = %s",  # noqa: S608
                [(*row[1:], row[0], council_id) for row in rows],
            )


def _refresh_statistics() -> None:
    """Refresh PostgreSQL's row statistics for the tenders table after a bulk load.

    Until autovacuum gets round to it, the planner still thinks the table holds
    what it held before, and looks rows up by reading every row of the council:
    the next import, and the finder, slow down as the table grows. PostgreSQL's
    advice after a bulk load is to run ANALYZE, which samples the table (a fraction
    of a second) and is transactional like the load itself.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {connection.ops.quote_name(Tender._meta.db_table)}"
            )


def _money(raw: str) -> Decimal | None:
    text = raw.replace("£", "").replace(",", "").replace(" ", "").lower()
    if not text:
        return None
    multiplier = 1
    if text.endswith(("k", "m")):
        multiplier = 1000 if text[-1] == "k" else 1_000_000
        text = text[:-1]
    try:
        amount = Decimal(text) * multiplier
    except InvalidOperation:
        raise ValueError(
            'Write an amount in pounds, such as "£150,000", "150k" or "1.2m".'
        ) from None
    if amount < 0 or amount >= Decimal("1e12") or amount != amount:
        raise ValueError("The amount is out of range.")
    return amount.quantize(Decimal("0.01"))


def _money_range(raw: str) -> tuple[Decimal | None, Decimal | None]:
    parts = re.split(r"\s*(?:-|\u2013|\u2014|\bto\b)\s*", raw, maxsplit=1)
    low = _money(parts[0])
    high = _money(parts[1]) if len(parts) > 1 else low
    return low, high
