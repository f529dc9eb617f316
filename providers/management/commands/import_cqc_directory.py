from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from providers.services import DirectoryImportError, cqc_directory_import


class Command(BaseCommand):
    help = (
        "Import CQC's monthly care directory CSV (four preamble lines, then CQC's "
        "header). Updates services by CQC location ID; all or nothing: any bad row "
        "or unknown local authority refuses every file and lists the problems."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        try:
            result = cqc_directory_import(paths=files)
        except DirectoryImportError as error:
            raise CommandError(
                "Nothing was imported. Problems found:\n- " + "\n- ".join(error.report)
            ) from error
        as_at = ", ".join(f"{d:%d %B %Y}" for d in result.produced_on) or "not stated"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported CQC care directory (produced on {as_at}): "
                f"{result.created} services added, {result.updated} updated, "
                f"{result.outside_regions} outside the portal's regions skipped."
            )
        )
