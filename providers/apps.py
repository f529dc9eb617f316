from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Care services directory"

    def ready(self):
        from . import alerts, panels  # noqa: F401 - panels registers its panel

        alerts.register()
