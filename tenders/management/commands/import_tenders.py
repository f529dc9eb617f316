"""Import a council's tender table from the command line, e.g. on a schedule.

Uses the same service as the admin's import: all or nothing, every bad row reported.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from councils.audit import command_line_user
from councils.models import Council
from tenders.imports.service import tender_table_import


class Command(BaseCommand):
    help = (
        "Import a tender table (CSV, TSV or XLSX) for one council. Nothing is "
        "written if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The table to import.")
        parser.add_argument(
            "--council",
            required=True,
            help="The council's slug or GSS code, e.g. durham or E06000047.",
        )
        parser.add_argument(
            "--user",
            help="The username the import is recorded under (in the import list and "
            "the audit trail); they must be able to edit the council. Without it the "
            "audit trail names the operating system user who ran the command.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the table and report what would change, without writing "
            "tenders (the preview is listed in the import log).",
        )
        parser.add_argument(
            "--whole-pipeline",
            action="store_true",
            help="The table is the council's whole pipeline: withdraw open tenders "
            "it leaves out, and set the pipeline's last updated date to today.",
        )
        parser.add_argument(
            "--confirm-withdrawals",
            action="store_true",
            help="Go ahead even if that withdraws more than half of the open tenders.",
        )

    def handle(
        self, *args, path: Path, council: str, dry_run: bool, user=None, **options
    ):
        self.verbosity = options["verbosity"]
        self.whole_pipeline = options["whole_pipeline"]
        self.confirm_withdrawals = options["confirm_withdrawals"]
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"No user has the username “{user}”.")
        found = Council.objects.filter(slug=council).first() or (
            Council.objects.filter(gss_code=council.upper()).first()
        )
        if found is None:
            raise CommandError(f"No council has the slug or GSS code “{council}”.")
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as file:
            try:
                report = self._import(found, file, path, importer, dry_run)
            except PermissionDenied as error:
                raise CommandError(f"{user}: {error}") from None
        self._report(report, path, dry_run)

    def _import(self, council, file, path, importer, dry_run):
        return tender_table_import(
            council=council,
            file=file,
            file_name=path.name,
            user=importer,
            dry_run=dry_run,
            whole_pipeline=self.whole_pipeline,
            confirm_withdrawals=self.confirm_withdrawals,
            progress=self._progress,
            run_by="" if importer else command_line_user(),
        )

    def _report(self, report, path, dry_run):
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}")
        if report.has_errors:
            for error in report.errors:
                self.stderr.write(str(error))
            if report.error_count > len(report.errors):
                self.stderr.write(
                    f"… and {report.error_count - len(report.errors)} more problems."
                )
            raise CommandError(f"{path.name}: {report.summary()}")
        for withdrawal in report.withdrawn:
            self.stdout.write(f"Withdrawn: {withdrawal.reference} {withdrawal.title}")
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(f"{prefix}{path.name}: {report.summary()}")
        )

    def _progress(self, rows: int) -> None:
        if self.verbosity >= 1:
            self.stderr.write(f"Checked {rows:,} rows…")
