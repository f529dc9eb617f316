from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality of provision"

    def ready(self):
        from . import panels  # noqa: F401 - registers the council page panel
