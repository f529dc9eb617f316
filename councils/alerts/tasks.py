"""Background tasks (Django's tasks framework): mail is never sent in a request."""

from datetime import datetime

from django.tasks import task

from . import emails, services
from .models import Subscriber


@task
def send_confirmation(
    *,
    email: str,
    token: str,
    search_title: str,
    frequency: str,
    asked_at: str,
    asked_from: str,
) -> None:
    emails.confirmation(
        email=email,
        token=token,
        search_title=search_title,
        frequency=frequency,
        asked_at=datetime.fromisoformat(asked_at),
        asked_from=asked_from,
    ).send()


@task
def send_manage_link(*, email: str) -> None:
    subscriber = Subscriber.objects.filter(email=email).first()
    if subscriber is None or not subscriber.subscriptions.exists():
        return
    emails.manage_link(
        subscriber=subscriber, token=services.manage_token(subscriber)
    ).send()


@task
def send_alerts(*, frequency: str, now: str) -> dict:
    result = services.alerts_send(frequency=frequency, now=datetime.fromisoformat(now))
    if result["failed"] or result["unconfirmed"]:
        # Marks the task failed; running it again sends only what is missing.
        raise RuntimeError(
            f"{result['failed']} alert emails could not be sent (the next run "
            f"sends them) and {result['unconfirmed']} may or may not have reached "
            "the mail server (they are not sent again)"
        )
    return result
