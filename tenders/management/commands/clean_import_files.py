"""Remove previewed tender tables that were never confirmed, e.g. from a daily timer."""

from django.core.management.base import BaseCommand

from tenders.imports.uploads import MAX_AGE_SECONDS, remove_stale_uploads


class Command(BaseCommand):
    help = (
        "Remove uploaded tender tables kept for a preview that was never confirmed, "
        "once they are older than a preview can be confirmed (one hour)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age",
            type=int,
            default=MAX_AGE_SECONDS,
            help="Remove files older than this many seconds (default: %(default)s).",
        )

    def handle(self, *args, max_age: int, **options):
        removed = remove_stale_uploads(max_age)
        self.stdout.write(f"Removed {removed} previewed file{'s' * (removed != 1)}.")
