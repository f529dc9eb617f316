from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from councils.audit import command_line_user
from providers.services import cqc_directory_import


class Command(BaseCommand):
    help = (
        "Import CQC's monthly care directory CSV (preamble lines, then CQC's header). "
        "Updates services by CQC location ID and marks those no longer listed as "
        "having left CQC's register. All or nothing: any bad row or unknown local "
        "authority refuses the file and lists every problem."
    )
    importer = staticmethod(cqc_directory_import)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--produced-on",
            type=date.fromisoformat,
            help="The date CQC produced the file (YYYY-MM-DD), if the file does not "
            "say.",
        )
        parser.add_argument(
            "--user",
            help="The username the import is recorded under in the audit trail (a "
            "portal administrator). Without it the audit trail names the operating "
            "system user who ran the command.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what the import would do and save nothing (a refused "
            "file is still listed, with its problems, under CQC file imports).",
        )

    def handle(self, *args, file, produced_on, dry_run, user=None, **options):
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None or not (importer.is_active and importer.is_superuser):
                raise CommandError(
                    f"No active portal administrator has the username “{user}”."
                )
        try:
            with file.open("rb") as handle:
                report = self.importer(
                    file=handle,
                    file_name=file.name,
                    dry_run=dry_run,
                    produced_on=produced_on,
                    user=importer,
                    run_by="" if importer else command_line_user(),
                )
        except OSError as error:
            raise CommandError(f"{file} cannot be read ({error})") from error
        if report.has_errors:
            raise CommandError(
                "Nothing was imported. Problems found:\n- "
                + "\n- ".join(map(str, report.problems))
            )
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {file.name} {report.summary()}"))
