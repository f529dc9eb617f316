"""What an import did, or why it was refused: counts and every problem found."""

from dataclasses import dataclass, field
from datetime import date

from ..models import CqcImport


@dataclass
class Problem:
    """One reason a file was refused, naming the row and column where possible."""

    reason: str
    row: int | None = None
    column: str = ""

    def __str__(self):
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return (
            f"{prefix[:1].upper()}{prefix[1:]}: {self.reason}"
            if prefix
            else self.reason
        )


@dataclass
class ImportReport:
    kind: str = ""
    file_name: str = ""
    produced_on: date | None = None
    dry_run: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deregistered: int = 0
    outside_regions: int = 0
    not_social_care: int = 0
    problems: list[Problem] = field(default_factory=list)
    england: dict = field(default_factory=dict)
    run_id: int | None = None

    @property
    def kind_label(self) -> str:
        return CqcImport.Kind(self.kind).label if self.kind else ""

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    def problem(self, reason: str, row: int | None = None, column: str = "") -> None:
        self.problems.append(Problem(reason, row, column))

    def summary(self) -> str:
        produced = (
            f"produced on {self.produced_on:%d %B %Y}" if self.produced_on else ""
        )
        return (
            f"{produced}: {self.added} services added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deregistered} marked as having left "
            f"CQC's register, {self.outside_regions} outside the portal's regions "
            f"skipped, {self.not_social_care} not adult social care skipped."
        )
