from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Care services directory"

    def ready(self):
        from . import (
            alerts,
            documents,  # noqa: F401 - registers services for site search
        )

        alerts.register()
