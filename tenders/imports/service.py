"""Importing a council's tender table: validated as a whole, written as a whole.

``tender_table_import`` is the one code path for the admin's preview and confirm
and for the ``import_tenders`` command. It reads the file row by row (see
``councils.reading``), cleans each row in plain Python (``rows``), looks existing
tenders up a batch at a time, and writes new rows and changes (``writing``) inside
one transaction. If any row is wrong, nothing is written and every bad row is
reported with its row number, column and reason.
"""

import difflib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction

from councils import clock
from councils.audit import ImportAudit, record_event
from councils.models import AuditEntry, Council
from councils.reading import DEFAULT_LIMITS, ImportLimits, TableRefused, open_table

from ..dates import DateWindow, describe_window
from ..models import Tender, TenderPipeline, generated_reference_prefix
from . import writing
from .columns import BY_FIELD, match_columns
from .publishing import imported_tenders_publish, sends_for_review
from .report import (
    Change,
    DateReading,
    ImportReport,
    RowPreview,
    Withdrawal,
    import_record,
    plural,
)
from .rows import (
    DATE_FIELDS,
    FOOTNOTE_MARKERS,
    RELATIONS,
    THROUGH_KEYS,
    Row,
    RowChecker,
    normalise_title,
)

BATCH_SIZE = 2000
ANALYZE_AFTER_NEW_ROWS = 1000
PREVIEW_ROWS = 200
# Titles close to an existing tender's are looked for only in councils with up to
# this many tenders, and only for the rows the preview shows: enough for a
# pipeline table, and no slower for a bulk load.
CLOSE_TITLES_UP_TO = 5000
CLOSE_TITLE_CUTOFF = 0.85
# Tenders still in play, which a whole-pipeline table withdraws when it leaves
# them out.
LIVE = [Tender.Status.PLANNED, Tender.Status.OPEN, Tender.Status.EVALUATION]


def tender_table_import(
    *,
    council: Council,
    file: BinaryIO,
    file_name: str,
    user=None,
    dry_run: bool,
    whole_pipeline: bool = False,
    confirm_withdrawals: bool = False,
    limits: ImportLimits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
    run_by: str = "",
) -> ImportReport:
    """Import a tender table for one council, all or nothing.

    ``user`` is the commissioner importing (None for the command line, which is
    trusted); they must be able to edit ``council`` and hold the import permission.
    A dry run reports what would happen and writes nothing. ``whole_pipeline``
    says the table is the council's whole pipeline: its open tenders that the
    table leaves out are withdrawn, and the pipeline's "last updated" moves to
    today; withdrawing more than half of them needs ``confirm_withdrawals``. Every
    run, preview or real, is recorded as an ``ImportRecord``, refused ones too.
    A real run is in the council's audit trail: each tender added, changed or
    withdrawn, in the import's transaction, and the import itself, refused ones
    too. ``run_by`` names who ran a command without a ``user``
    (``councils.audit.command_line_user()``).
    """
    if user is not None and not (
        user.has_perm("tenders.import_tender")
        and Council.objects.editable_by(user).filter(pk=council.pk).exists()
    ):
        raise PermissionDenied("You may not import tenders for this council.")
    report = ImportReport(
        council=council,
        file_name=file_name,
        dry_run=dry_run,
        whole_pipeline=whole_pipeline,
    )
    try:
        with transaction.atomic():
            if not dry_run:
                # One import per council at a time: references are numbered here.
                Council.objects.select_for_update().filter(pk=council.pk).first()
            report.sent_for_review = sends_for_review(council, user)
            audit = None
            if not dry_run:
                audit = ImportAudit(
                    model=Tender,
                    source=f"Tender table import: {file_name}",
                    user=user,
                    run_by=run_by,
                )
            table_import = _TableImport(report, council, audit, progress)
            table_import.run(file, limits, confirm_withdrawals)
            if not report.has_errors and not dry_run:
                imported_tenders_publish(
                    council=council,
                    pks=table_import.written_ids(),
                    user=user,
                    file_name=file_name,
                )
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
    report.record = import_record(report, user)
    if not dry_run:
        record_import(report, user, run_by)
    return report


def record_import(report: ImportReport, user, run_by: str) -> None:
    """The import as a whole in the council's audit trail: confirmed or refused."""
    record_event(
        user=user,
        run_by=run_by,
        council=report.council,
        action=(
            AuditEntry.Action.IMPORT_REFUSED
            if report.has_errors
            else AuditEntry.Action.IMPORTED
        ),
        obj=report.record,
        object_repr=f"Tender table {report.file_name}",
        changes={
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "withdrawn": report.withdrawn_count,
            "errors": report.error_count,
        },
        message=report.record.error_summary,
    )


class _TableImport:
    """One pass over a table: clean rows, classify them by batch, write if clean."""

    def __init__(self, report, council, audit: ImportAudit | None, progress):
        self.report = report
        self.council = council
        self.audit = audit
        self.dry_run = audit is None
        self.progress = progress
        self.title_matched: dict[int, int] = {}
        self.titles: dict[str, list[int]] | None = None
        self.deferred: list[Row] = []
        self.next_number: int | None = None
        self.now = clock.now()
        self.matched: set[int] = set()
        self.inserted: set[str] = set()
        self.changed: set[int] = set()
        self.existing_titles: dict[str, tuple[str, str]] | None = None
        self.close_checked = 0

    def run(self, file, limits, confirm_withdrawals: bool) -> None:
        # Excel date cells read as the council writes a day, like typed ones.
        table = open_table(file, self.report.file_name, limits, days_in_words=True)
        self.report.file_format = table.file_format
        self.report.encoding = table.encoding
        columns = match_columns(table.headings, self.report)
        # Problems with the headings do not stop the rows being checked: one
        # upload shows everything to fix.
        self.header_errors = self.report.has_errors
        self.checker = RowChecker(
            self.report, self.council, columns, len(table.headings)
        )
        self.keys = self.checker.keys
        self.fields = [column.field for _i, column in columns if column]
        self.relations = [name for name in self.fields if name in RELATIONS]
        self.has_reference = "reference" in self.fields
        self.compared = self._compared()
        batch: list[Row] = []
        for number, cells in table.rows:
            if self._footnote(cells):
                continue
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
        # Rows waiting for their footnote were checked last: show them in place.
        self.report.preview.sort(key=lambda preview: preview.row)
        if self.report.has_errors:
            return
        if self.report.whole_pipeline:
            self._withdraw(confirm_withdrawals)
        if not self.report.has_errors and not self.dry_run:
            self._update_pipeline()

    def _footnote(self, cells: list[str]) -> bool:
        """Whether the row is a footnote below the table ("* subject to review")."""
        filled = [cell for cell in cells if cell]
        if len(filled) != 1 or filled[0][0] not in FOOTNOTE_MARKERS:
            return False
        text = filled[0]
        marker = text[: len(text) - len(text.lstrip(FOOTNOTE_MARKERS))]
        self.report.footnotes[marker] = text[len(marker) :].strip(" *_")
        return True

    def _withdraw(self, confirm_withdrawals: bool) -> None:
        """Withdraw the open tenders a whole-pipeline table leaves out."""
        live = Tender.objects.filter(council=self.council, status__in=LIVE)
        left_out = []
        for pk, reference, title, status in live.values_list(
            "id", "reference", "title", "status"
        ):
            if reference in self.inserted:
                continue  # written by this import, a moment ago
            self.report.open_before += 1
            if pk not in self.matched:
                left_out.append(pk)
                if self.audit:
                    self.audit.changed(
                        council_id=self.council.pk,
                        object_id=pk,
                        object_repr=f"{reference} {title}",
                        changes={"status": (status, Tender.Status.WITHDRAWN)},
                    )
                if len(self.report.withdrawn) < PREVIEW_ROWS:
                    self.report.withdrawn.append(Withdrawal(reference, title))
        report = self.report
        report.withdrawn_count = len(left_out)
        report.needs_withdrawal_confirmation = (
            report.withdrawn_count * 2 > report.open_before
        )
        if report.needs_withdrawal_confirmation and not (
            self.dry_run or confirm_withdrawals
        ):
            report.add_error(
                None,
                "",
                "",
                f"This table would withdraw {plural(report.withdrawn_count, 'tender')}"
                f" of the council's {report.open_before:,} open ones, more than half."
                " Confirm the withdrawals to go ahead.",
            )
            return
        if left_out and not self.dry_run:
            self.changed.update(left_out)
            Tender.objects.filter(pk__in=left_out).update(
                status=Tender.Status.WITHDRAWN, updated_at=self.now
            )
            self.audit.write()

    def _update_pipeline(self) -> None:
        """Move "last updated" for a whole pipeline; keep the table's footnotes."""
        if not (self.report.whole_pipeline or self.report.footnotes):
            return
        today = clock.today()
        pipeline, created = TenderPipeline.objects.get_or_create(
            council=self.council, defaults={"last_updated": today}
        )
        before = {"last_updated": pipeline.last_updated, "footnote": pipeline.footnote}
        if created:
            before = dict.fromkeys(before)
        if self.report.whole_pipeline:
            pipeline.last_updated = today
        if self.report.footnotes:
            pipeline.footnote = "\n".join(
                f"{marker} {text}" for marker, text in self.report.footnotes.items()
            )
        pipeline.save()
        changes = {
            name: (old, getattr(pipeline, name))
            for name, old in before.items()
            if old != getattr(pipeline, name)
        }
        if changes:
            self.audit.changed(
                council_id=self.council.pk,
                object_id=pipeline.pk,
                object_repr=str(pipeline),
                changes=changes,
            )
            self.audit.write()

    def written_ids(self) -> list[int]:
        """The working copies this import added or changed (withdrawals too)."""
        added = []
        inserted = sorted(self.inserted)
        for start in range(0, len(inserted), BATCH_SIZE):
            added += Tender.objects.filter(
                council=self.council, reference__in=inserted[start : start + BATCH_SIZE]
            ).values_list("id", flat=True)
        return sorted(self.changed.union(added))

    # Matching rows to tenders ----------------------------------------------------

    def _process(self, batch: list[Row], assign_references: bool = False) -> None:
        if not batch:
            return
        if self.header_errors:
            return
        existing = self._existing(batch)
        inserts, updates = [], []
        for row in batch:
            if row.notes_marker and not assign_references:
                # Its footnote is below the table: read it first.
                self.deferred.append(row)
                continue
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
                self._close_title(row)
                self._preview(row, "new", row.values.get("reference", ""), {})
                continue
            self.matched.add(found["id"])
            changes = {
                name: (found[name], value)
                for name, value in row.values.items()
                if found[name] != value
            }
            if changes:
                self.report.updated += 1
                updates.append((found, row))
                if self.audit:
                    self.audit.changed(
                        council_id=self.council.pk,
                        object_id=found["id"],
                        object_repr=f"{found['reference']} {found['title']}",
                        changes={
                            name: (self._audited(name, old), self._audited(name, new))
                            for name, (old, new) in changes.items()
                        },
                    )
            else:
                self.report.unchanged += 1
            self._preview(
                row, "updated" if changes else "unchanged", found["reference"], changes
            )
        if self.report.has_errors or self.dry_run:
            return
        self._insert(inserts)
        self._update(updates)
        self.audit.write()

    def _preview(self, row, outcome, reference, changes: dict) -> None:
        if len(self.report.preview) >= PREVIEW_ROWS:
            return
        shown = tuple(
            Change(
                BY_FIELD[name].heading,
                self._shown(name, old),
                self._shown(name, new),
            )
            for name, (old, new) in changes.items()
            if name in BY_FIELD
        )
        dates = tuple(
            DateReading(
                BY_FIELD[name].heading,
                row.values[name],
                describe_window(self._window_of(row, name)),
            )
            for name in DATE_FIELDS
            if row.values.get(name)
        )
        self.report.preview.append(
            RowPreview(
                row.number, outcome, reference, row.values["title"], shown, dates
            )
        )

    def _window_of(self, row: Row, name: str) -> DateWindow | None:
        first, last = DATE_FIELDS[name]
        if row.values[first] is None:
            return None
        return DateWindow(row.values[first], row.values[last])

    def _audited(self, name: str, value):
        """A value as the audit trail keeps it: list columns as their names."""
        if name in RELATIONS and value is not None:
            names = self.checker.term_names[name]
            return sorted(names.get(pk, str(pk)) for pk in value)
        return value

    def _shown(self, name: str, value) -> str:
        """A value as the preview shows it."""
        if value is None or value == "":
            return "(blank)"
        if name in RELATIONS:
            names = self.checker.term_names[name]
            return "; ".join(sorted(names[pk] for pk in value)) or "(none)"
        if isinstance(value, Decimal):
            return f"£{value:,.0f}" if value == value.to_integral() else f"£{value:,}"
        if isinstance(value, date):
            return f"{value.day} {value:%B %Y}"
        if name == "status":
            return str(Tender.Status(value).label)
        return str(value)

    def _close_title(self, row: Row) -> None:
        """Warn when a new tender's title is very like an existing one's: a likely
        rename that would otherwise become a second tender."""
        if self.close_checked >= PREVIEW_ROWS:
            return
        self.close_checked += 1
        if self.existing_titles is None:
            tenders = Tender.objects.filter(council=self.council)
            self.existing_titles = {}
            if tenders.count() <= CLOSE_TITLES_UP_TO:
                self.existing_titles = {
                    normalise_title(title): (reference, title)
                    for reference, title in tenders.values_list("reference", "title")
                }
        if not self.existing_titles:
            return
        close = difflib.get_close_matches(
            normalise_title(row.values["title"]),
            self.existing_titles.keys(),
            n=1,
            cutoff=CLOSE_TITLE_CUTOFF,
        )
        if close:
            reference, title = self.existing_titles[close[0]]
            self.report.add_warning(
                row.number,
                BY_FIELD["title"].heading,
                row.values["title"],
                f"This new tender's title is very close to {reference} “{title}”. "
                "If it is the same tender renamed, give it that reference, or it "
                "will be imported as a second tender.",
            )

    def _notes(self, row: Row, found: dict | None) -> None:
        if not row.notes_marker:
            return
        note = self.report.footnotes.get(row.notes_marker)
        if not note:
            self.report.add_warning(
                row.number,
                BY_FIELD["title"].heading,
                row.values["title"] + row.notes_marker,
                f"The title ends in “{row.notes_marker}” but the table has no "
                "footnote for it, so the marker was left out and no note added.",
            )
            return
        current = row.values.get("notes")
        if current is None:
            current = found["notes"] if found else ""
        if note not in current:
            current = f"{current}\n{note}".strip()
        row.values["notes"] = current

    def _compared(self) -> list[str]:
        names = ["id", "reference", "title", "notes"]
        for name in self.fields:
            if name in DATE_FIELDS:
                names += [name, *DATE_FIELDS[name]]
            elif name == "value":
                names += ["value_min", "value_max", "value_text"]
            elif name not in ("council", *RELATIONS):
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
        if self.relations:
            self._add_relations([v for v in found.values() if isinstance(v, dict)])
        return found

    def _add_relations(self, tenders: list[dict]) -> None:
        """Each tender's terms for the table's list columns, as sets of ids."""
        by_id = {values["id"]: values for values in tenders}
        for name in self.relations:
            for values in by_id.values():
                values[name] = set()
            through = getattr(Tender, name).through
            key = THROUGH_KEYS[name]
            for tender_id, pk in through.objects.filter(
                tender_id__in=by_id
            ).values_list("tender_id", key):
                by_id[tender_id][name].add(pk)
            for values in by_id.values():
                values[name] = frozenset(values[name])

    def _reference_for(self, row: Row) -> str:
        prefix = generated_reference_prefix(self.council)
        if self.next_number is None:
            self.next_number = Tender.objects.next_reference_number(self.council)
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
            row.values["reference"] = values["reference"]
            self.inserted.add(values["reference"])
            tuples.append(tuple(values.get(name) for name in names))
        writing.insert_rows(names, tuples)
        ids = dict(
            Tender.objects.filter(
                council=self.council,
                reference__in=[row.values["reference"] for row in rows],
            ).values_list("reference", "id")
        )
        if self.relations:
            self._write_relations([(ids[row.values["reference"]], row) for row in rows])
        for row in rows:
            reference = row.values["reference"]
            self.audit.added(
                council_id=self.council.pk,
                object_id=ids[reference],
                object_repr=f"{reference} {row.values['title']}",
                values={
                    name: self._audited(name, value)
                    for name, value in row.values.items()
                },
            )

    def _write_relations(self, rows: list[tuple[int, Row]]) -> None:
        for name in self.relations:
            writing.replace_terms(
                getattr(Tender, name).through,
                THROUGH_KEYS[name],
                {pk: row.values[name] for pk, row in rows if name in row.values},
            )

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
        self.changed.update(found["id"] for found, _row in updates)
        if self.relations:
            self._write_relations(
                [
                    (found["id"], row)
                    for found, row in updates
                    if any(
                        found[name] != row.values.get(name) for name in self.relations
                    )
                ]
            )
