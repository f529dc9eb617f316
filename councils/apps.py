from django.apps import AppConfig, apps
from django.core import checks
from django.db.models.signals import post_migrate, pre_migrate


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "Councils and their MPS"

    def ready(self):
        from . import (
            documents,  # noqa: F401 - registers its pages for site search
            download_files,
            pagecache,
        )
        from .alerts import changes
        from .models import Publication, Publishable
        from .scoping import check_council_scoping, sync_commissioners_group

        changes.register()

        # Fails at start-up (runserver, migrate, check) when a council-owned model
        # or its admin escapes the scoping.
        checks.register(check_council_scoping, checks.Tags.security)
        post_migrate.connect(sync_commissioners_group, dispatch_uid="commissioners")

        # Cached pages and download validators follow every write to public
        # content, and every scheduled publication falling due.
        pagecache.watch_content_writes()
        # ...and so do the complete downloads, made again in the background.
        pagecache.content_committed.connect(
            download_files.on_content_committed, dispatch_uid="download-files"
        )
        pre_migrate.connect(
            download_files.pause_during_migrations, dispatch_uid="download-files"
        )
        post_migrate.connect(
            download_files.resume_after_migrations, dispatch_uid="download-files"
        )
        pagecache.schedule(Publication, "publish_at")
        for model in apps.get_models():
            if issubclass(model, Publishable):
                pagecache.schedule(model, "publish_at")
