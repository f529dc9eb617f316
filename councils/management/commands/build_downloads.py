from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from councils.download_files import download_files_build


class Command(BaseCommand):
    help = (
        "Make the complete file of each unfiltered download that has none for the "
        "content as it is now (the background worker does this after every change; "
        "run it from cron as a backstop, e.g. just after midnight)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "url_names",
            nargs="*",
            metavar="URL_NAME",
            help="Only these downloads, e.g. tenders:tender-list-csv (default: all "
            "of COMPLETE_DOWNLOADS).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Make them again even if current."
        )

    def handle(self, *args, url_names, force, **options):
        unknown = set(url_names) - set(settings.COMPLETE_DOWNLOADS)
        if unknown:
            raise CommandError(
                f"Not a complete download: {', '.join(sorted(unknown))}. Choose from "
                f"{', '.join(settings.COMPLETE_DOWNLOADS)}."
            )
        for result in download_files_build(url_names=url_names, force=force):
            line = f"{result.url_name}: {result.status}"
            if result.status == "built":
                line += f", {result.bytes:,} bytes in {result.seconds:.1f} s"
            self.stdout.write(line)
