from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.management.base import BaseCommand
from django.db import transaction

from councils import clock
from councils.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Delete audit entries and admin log entries older than AUDIT_RETENTION_DAYS. "
        "Run it daily (cron or a systemd timer)."
    )

    def handle(self, *args, **options):
        cutoff = clock.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
        with transaction.atomic():
            audit, _ = AuditEntry.objects.filter(created_at__lt=cutoff).delete()
            logs, _ = LogEntry.objects.filter(action_time__lt=cutoff).delete()
        self.stdout.write(
            f"Deleted {audit} audit entries and {logs} admin log entries "
            f"older than {cutoff:%Y-%m-%d}."
        )
