from django.core.management.base import BaseCommand

from councils.pagecache import content_changed


class Command(BaseCommand):
    help = (
        "Make every cached page and download validator stale. Changes made through "
        "the portal do this by themselves; run it after changing the database from "
        "outside (pg_restore, psql)."
    )

    def handle(self, *args, **options):
        content_changed()
        self.stdout.write("Cached pages will be rendered afresh.")
