from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "Councils and their MPS"

    def ready(self):
        from . import documents  # noqa: F401 - registers its pages for site search
        from .scoping import check_council_scoping, sync_commissioners_group

        # Fails at start-up (runserver, migrate, check) when a council-owned model
        # or its admin escapes the scoping.
        checks.register(check_council_scoping, checks.Tags.security)
        post_migrate.connect(sync_commissioners_group, dispatch_uid="commissioners")
