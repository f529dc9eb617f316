from django.core.management.base import BaseCommand
from django.utils import timezone

from councils.alerts import tasks
from councils.alerts.models import Frequency


class Command(BaseCommand):
    help = (
        "Queue the email alerts of one frequency for the worker (manage.py "
        "db_worker) to send. Run `send_alerts immediately` every few minutes, "
        "`send_alerts daily` once a day and `send_alerts weekly` on Mondays, from "
        "cron or a systemd timer. Running one again sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("frequency", choices=Frequency.values)

    def handle(self, *args, frequency, **options):
        result = tasks.send_alerts.enqueue(
            frequency=frequency, now=timezone.now().isoformat()
        )
        self.stdout.write(f"Queued {frequency} alerts as task {result.id}.")
