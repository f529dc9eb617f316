from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = "Tender opportunities"

    def ready(self):
        from . import panels  # noqa: F401 - registers the council and market panels
