from django.apps import AppConfig
from django.db.models.signals import post_save


def audit_import(sender, instance, created, **kwargs):
    """Each import, confirmed or refused, joins the council's audit trail."""
    if not created:
        return
    from councils.audit import record_event
    from councils.models import AuditEntry

    action = (
        AuditEntry.Action.IMPORTED
        if instance.outcome == sender.Outcome.IMPORTED
        else AuditEntry.Action.IMPORT_REFUSED
    )
    record_event(
        user=instance.user,
        council=instance.council,
        action=action,
        obj=instance,
        object_repr=f"Tender table {instance.file_name}",
        changes={
            "new": instance.new,
            "updated": instance.updated,
            "unchanged": instance.unchanged,
            "errors": instance.errors,
        },
        message=instance.error_summary,
    )


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = "Tender opportunities"

    def ready(self):
        from . import (
            documents,  # noqa: F401 - registers tenders for site search
            panels,  # noqa: F401 - registers the council and market panels
        )
        from .models import ImportRecord

        post_save.connect(audit_import, sender=ImportRecord, dispatch_uid="audit")
