from django.core.management.base import BaseCommand
from django.utils import timezone

from councils.alerts import services, tasks
from councils.alerts.models import Delivery, Frequency


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
        stopped = Delivery.objects.unconfirmed(
            before=timezone.now() - services.CLAIM_STALE_AFTER
        ).count()
        if stopped:
            self.stderr.write(
                f"{stopped} alert email{'s' if stopped != 1 else ''} may not have "
                "arrived: a run stopped while sending, before the mail server "
                "confirmed them. They are not sent again (so none is sent twice); "
                "see Alert deliveries with status “Sending” in the admin, and "
                "delete one there to send it again."
            )
