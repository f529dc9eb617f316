from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

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
            help="Record the import (or its refusal) under this portal "
            "administrator's username; without it the run is recorded as from the "
            "command line.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what the import would do and save nothing (a refused "
            "file is still recorded, with its problems).",
        )

    def handle(self, *args, file, produced_on, dry_run, user=None, **options):
        if user is not None:
            found = get_user_model().objects.filter(username=user).first()
            if found is None or not (found.is_active and found.is_superuser):
                raise CommandError(
                    f"{user} is not an active portal administrator: CQC's files "
                    "cover every council, so only administrators import them."
                )
            user = found
        try:
            with file.open("rb") as handle:
                report = self.importer(
                    file=handle,
                    file_name=file.name,
                    dry_run=dry_run,
                    produced_on=produced_on,
                    user=user,
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
