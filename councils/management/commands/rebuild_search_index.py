from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from councils import search


class Command(BaseCommand):
    help = (
        "Make the site search index again from the content, for every kind of page "
        "or those named (e.g. tender section); with --missing, only kinds that have "
        "pages but no documents (after a migration that removed them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help="Kinds of page; all if none.")
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only the kinds with pages to index and no documents at all: cheap "
            "to run at every start (scripts/serve does).",
        )

    def handle(self, *args, kinds, missing, **options):
        known = [kind.key for kind in search.kinds()]
        unknown = sorted(set(kinds) - set(known))
        if unknown:
            raise CommandError(
                f"No kind of page {', '.join(unknown)}: choose from {', '.join(known)}"
            )
        chosen = kinds or known
        if missing:
            chosen = search.missing_kinds(chosen)
            if not chosen:
                self.stdout.write("Every kind of page has its documents")
                return
        with transaction.atomic():
            counts = search.rebuild(chosen)
        for key, count in counts.items():
            self.stdout.write(f"{key}: {count} documents")
