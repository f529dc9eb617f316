from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from councils import search


class Command(BaseCommand):
    help = (
        "Make the site search index again from the content, for every kind of page "
        "or those named (e.g. tender section)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help="Kinds of page; all if none.")

    def handle(self, *args, kinds, **options):
        known = [kind.key for kind in search.kinds()]
        unknown = sorted(set(kinds) - set(known))
        if unknown:
            raise CommandError(
                f"No kind of page {', '.join(unknown)}: choose from {', '.join(known)}"
            )
        with transaction.atomic():
            counts = search.rebuild(kinds or None)
        for key, count in counts.items():
            self.stdout.write(f"{key}: {count} documents")
