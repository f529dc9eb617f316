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
            else ImportRecord.Outcome.IMPORTED
        ),
        rows=report.rows,
        new=report.new,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=report.error_count,
        error_summary="\n".join(str(error) for error in report.errors[:20]),
    )
