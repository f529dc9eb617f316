from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = "Tender opportunities"

    def ready(self):
        from councils import pagecache

        from . import (
            alerts,
            documents,  # noqa: F401 - registers tenders for site search
            panels,  # noqa: F401 - registers the council and market panels
        )
        from .models import Tender

        alerts.register()
        # A tender with a future "published at" appears on every page at that time.
        pagecache.schedule(Tender, "published_at")
