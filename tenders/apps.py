from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = "Tender opportunities"

    def ready(self):
        from . import alerts, panels  # noqa: F401 - panels registers its panels

        alerts.register()
