"""Load a tidy table of indicator figures from the command line.

Uses the same service as the admin's import: all or nothing, every problem reported,
every run recorded. Without ``--user`` it runs as a portal administrator (whoever
can run manage.py can change the database anyway) and may load figures for any
council, region or England; with ``--user`` that person's scoping applies, exactly
as in the admin, and the record names them. Without it the audit trail names the
operating system user who ran the command.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from councils.audit import command_line_user
from councils.services import indicator_figures_import


class Command(BaseCommand):
    help = (
        "Load indicator figures from a tidy CSV or XLSX table (metric, area_code, "
        "period, value, source, source_link, as_at; base_year and notes optional). "
        "Nothing is written if any row is wrong. Runs as a portal administrator "
        "unless --user is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The table to load.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the table and report what would change, without writing.",
        )
        parser.add_argument(
            "--user",
            help=(
                "Username to load as: a commissioner may load figures only for "
                "their own councils. Without it the command runs as a portal "
                "administrator (any council, region or England)."
            ),
        )

    def handle(self, *args, path: Path, dry_run: bool, user: str | None, **options):
        self.verbosity = options["verbosity"]
        person = None
        if user is not None:
            person = get_user_model().objects.filter(username=user).first()
            if person is None or not person.is_active:
                raise CommandError(f"No active user has the username “{user}”.")
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as file:
            try:
                report = indicator_figures_import(
                    file=file,
                    file_name=path.name,
                    user=person,
                    dry_run=dry_run,
                    progress=self._progress,
                    run_by="" if person else command_line_user(),
                )
            except PermissionDenied as error:
                raise CommandError(f"{user}: {error}") from None
        if report.has_errors:
            for error in report.errors:
                self.stderr.write(str(error))
            if report.error_count > len(report.errors):
                self.stderr.write(
                    f"… and {report.error_count - len(report.errors)} more problems."
                )
            raise CommandError(f"{path.name}: {report.summary()}")
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(f"{prefix}{path.name}: {report.summary()}")
        )

    def _progress(self, rows: int) -> None:
        if self.verbosity >= 2:
            self.stderr.write(f"Checked {rows:,} rows…")
