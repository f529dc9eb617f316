"""What migrations do to the data, kept here so that several apps' migrations
share one copy (a migration imports it by name, so it is never changed in a way
that would alter what an applied migration did: add a new function instead)."""

from django.db import models


def fill_replaced_at(*model_names):
    """Each live copy's replaced_at: the publish time of the next later live copy
    of the same working copy, as PublishableQuerySet.live() used to work out."""

    def fill(apps, schema_editor):
        for name in model_names:
            model = apps.get_model(name)
            later = model._base_manager.filter(
                live_of=models.OuterRef("live_of"),
                publish_at__gt=models.OuterRef("publish_at"),
            )
            model._base_manager.filter(
                models.Exists(later), live_of__isnull=False
            ).update(
                replaced_at=models.Subquery(
                    later.order_by("publish_at").values("publish_at")[:1]
                )
            )

    return fill
