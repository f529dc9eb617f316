"""Importing a council's tender table: validated as a whole, written as a whole.

``tender_table_import`` is the one code path for the admin's preview and confirm
and for the ``import_tenders`` command. It reads the file row by row (see
``councils.reading``), cleans each row in plain Python (``rows``), looks existing
tenders up a batch at a time, and writes new rows and changes (``writing``) inside
one transaction. If any row is wrong, nothing is written and every bad row is
reported with its row number, column and reason.
"""

from collections.abc import Callable
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from councils.models import Council
from councils.reading import DEFAULT_LIMITS, ImportLimits, TableRefused, open_table

from ..models import Tender, generated_reference_prefix
from . import writing
from .columns import BY_FIELD, match_columns
from .report import ImportReport, RowPreview, import_record
from .rows import DATE_FIELDS, Row, RowChecker, normalise_title

BATCH_SIZE = 2000
ANALYZE_AFTER_NEW_ROWS = 1000
PREVIEW_ROWS = 200
FOOTNOTE_NOTE = "Marked “{marker}” in the council's published table: see its footnote."


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
                    writing.refresh_statistics()
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
        report.record = import_record(report, user)
    return report


class _TableImport:
    """One pass over a table: clean rows, classify them by batch, write if clean."""

    def __init__(self, report, council, dry_run, progress):
        self.report = report
        self.council = council
        self.dry_run = dry_run
        self.progress = progress
        self.title_matched: dict[int, int] = {}
        self.titles: dict[str, list[int]] | None = None
        self.deferred: list[Row] = []
        self.next_number: int | None = None
        self.now = timezone.now()

    def run(self, file, limits) -> None:
        table = open_table(file, self.report.file_name, limits)
        self.report.file_format = table.file_format
        self.report.encoding = table.encoding
        columns = match_columns(table.headings, self.report)
        if self.report.has_errors:
            return
        self.checker = RowChecker(self.report, self.council, columns)
        self.keys = self.checker.keys
        self.fields = [column.field for _i, column in columns if column]
        self.has_reference = "reference" in self.fields
        self.compared = self._compared()
        batch: list[Row] = []
        for number, cells in table.rows:
            self.report.rows += 1
            row = self.checker.clean(number, cells)
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

    # Matching rows to tenders ----------------------------------------------------

    def _process(self, batch: list[Row], assign_references: bool = False) -> None:
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

    def _notes(self, row: Row, found: dict | None) -> None:
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

    def _existing(self, batch: list[Row]) -> dict:
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

    def _reference_for(self, row: Row) -> str:
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

    # Writing ---------------------------------------------------------------------

    def _insert(self, rows: list[Row]) -> None:
        if not rows:
            return
        names = [f.attname for f in writing.INSERT_FIELDS]
        defaults = {f.attname: f.get_default() for f in writing.INSERT_FIELDS}
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
        writing.insert_rows(names, tuples)

    def _update(self, updates: list[tuple[dict, Row]]) -> None:
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
        writing.update_rows(self.council.pk, [*names, "updated_at"], tuples)
