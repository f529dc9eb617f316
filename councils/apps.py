from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "Councils and their MPS"

    def ready(self):
        from .scoping import sync_commissioners_group

        post_migrate.connect(sync_commissioners_group, dispatch_uid="commissioners")
