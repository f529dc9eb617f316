"""What an import found and did: for the preview, the command and the import log."""

from dataclasses import dataclass, field

from councils.models import Council

from ..models import ImportRecord
from .columns import ColumnMatch

ERRORS_KEPT = 500


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
class Change:
    """One field a row changes, as the preview shows it: old → new."""

    heading: str
    old: str
    new: str


@dataclass(frozen=True)
class DateReading:
    """How a date as published was read, for the preview."""

    heading: str
    text: str
    reading: str


@dataclass(frozen=True)
class RowPreview:
    row: int
    outcome: str
    reference: str
    title: str
    changes: tuple[Change, ...] = ()
    dates: tuple[DateReading, ...] = ()


@dataclass(frozen=True)
class Withdrawal:
    reference: str
    title: str


def plural(count: int, word: str, words: str = "") -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"


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
    warnings: list[RowError] = field(default_factory=list)
    preview: list[RowPreview] = field(default_factory=list)
    whole_pipeline: bool = False
    withdrawn: list[Withdrawal] = field(default_factory=list)
    withdrawn_count: int = 0
    open_before: int = 0
    needs_withdrawal_confirmation: bool = False
    footnotes: dict[str, str] = field(default_factory=dict)
    written: bool = False
    # The council reviews changes: what is written waits for an approver.
    sent_for_review: bool = False
    record: ImportRecord | None = None

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def add_error(self, row, column, value, message) -> None:
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(RowError(row, column, str(value)[:200], message))

    def add_warning(self, row, column, value, message) -> None:
        if len(self.warnings) < ERRORS_KEPT:
            self.warnings.append(RowError(row, column, str(value)[:200], message))

    def summary(self) -> str:
        if self.has_errors:
            return f"{plural(self.error_count, 'problem')} found: nothing was imported."
        if not self.rows:
            return "The table has headings but no rows."
        verb = "would be" if self.dry_run else "were"
        text = (
            f"{plural(self.rows, 'row')}: {self.new:,} new, {self.updated:,} updated "
            f"and {self.unchanged:,} unchanged "
            f"{'tender' if self.rows == 1 else 'tenders'} {verb} imported."
        )
        if self.withdrawn_count:
            text += (
                f" {plural(self.withdrawn_count, 'tender')} no longer in the table "
                f"{verb} withdrawn."
            )
        changed = self.new + self.updated + self.withdrawn_count
        if changed:
            one = changed == 1
            if self.sent_for_review:
                text += (
                    f" {self.council.name} reviews changes: "
                    f"{'it' if one else 'they'} "
                    f"{'will wait' if self.dry_run else 'wait'} for an approver to "
                    "publish, and readers see the published versions until then."
                )
            else:
                text += (
                    f" Readers {'will see' if self.dry_run else 'see'} "
                    f"{'it' if one else 'them'} now."
                )
        return text


def import_record(report: ImportReport, user) -> ImportRecord:
    """The import log's entry for this import."""
    return ImportRecord.objects.create(
        council=report.council,
        user=user,
        file_name=report.file_name[:255],
        file_format=report.file_format or "?",
        encoding=report.encoding,
        outcome=(
            ImportRecord.Outcome.REFUSED
            if report.has_errors
            else ImportRecord.Outcome.PREVIEWED
            if report.dry_run
            else ImportRecord.Outcome.IMPORTED
        ),
        rows=report.rows,
        new=report.new,
        updated=report.updated,
        unchanged=report.unchanged,
        withdrawn=report.withdrawn_count,
        errors=report.error_count,
        error_summary="\n".join(str(error) for error in report.errors[:20]),
    )
