"""Who gets which alerts: an address, its searches, and what has been sent.

Only the address and the filters are kept (the privacy notice says so); deleting
the last subscription deletes the address and its delivery records.
"""

from django.db import models
from django.utils import timezone


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "As soon as something changes"
    DAILY = "daily", "Once a day"
    WEEKLY = "weekly", "Once a week"


class Subscriber(models.Model):
    """An address that confirmed at least one subscription."""

    email = models.EmailField(
        "email address", max_length=254, unique=True, help_text="Stored in lower case."
    )
    created_at = models.DateTimeField("first confirmed", default=timezone.now)

    class Meta:
        verbose_name = "alert subscriber"

    def __str__(self):
        return self.email


class SubscriptionQuerySet(models.QuerySet):
    def due(self, frequency: str):
        """Subscriptions sent at ``frequency``, with their addresses."""
        return self.filter(frequency=frequency).select_related("subscriber")


class Subscription(models.Model):
    """One search (a finder's filters, or a council or type of care) an address
    follows, at one frequency."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    source = models.CharField(
        max_length=40,
        help_text="What is followed: a finder (tenders, arrangements, directory) or "
        "a topic (council, market).",
    )
    query = models.CharField(
        max_length=2000,
        blank=True,
        help_text="The search's filters as a checked, sorted query string.",
    )
    frequency = models.CharField(
        max_length=20, choices=Frequency, default=Frequency.DAILY, db_index=True
    )
    confirmed_at = models.DateTimeField(
        default=timezone.now,
        help_text="Nothing that happened before this is sent.",
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "alert subscription"
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "source", "query"],
                name="one_subscription_per_search",
            )
        ]

    def __str__(self):
        return f"{self.subscriber} → {self.source}?{self.query}"


class DeliveryQuerySet(models.QuerySet):
    def unconfirmed(self, *, before=None):
        """Deliveries claimed by a run that did not learn whether the mail server
        took them (or, if claimed after ``before``, still sending): never sent
        again, so they may not have arrived."""
        claims = self.filter(status=Delivery.Status.SENDING)
        return claims if before is None else claims.filter(sent_at__lt=before)


class Delivery(models.Model):
    """What one address has been sent: an item (immediate alerts) or a digest
    period. Claimed (committed as “sending”) before the email goes to the mail
    server and marked “sent” after, so a run that is interrupted and run again
    never sends an email twice: one it cannot tell about stays “sending”."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending, or interrupted while sending"
        SENT = "sent", "Sent"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    key = models.CharField(
        max_length=200,
        help_text="“daily:2026-11-30”, “weekly:2026-11-23” or “item:<item key>”.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        help_text="“Sending” after the run stopped means the email may or may not "
        "have reached the mail server; it is not sent again.",
    )
    sent_at = models.DateTimeField(
        default=timezone.now, help_text="When the run claimed it for sending."
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = "alert delivery"
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "key"], name="one_delivery_per_key"
            )
        ]
        # A run reads what was already sent for its period or items by key.
        indexes = [models.Index(fields=["key"], name="delivery_key_idx")]

    def __str__(self):
        return f"{self.key} to {self.subscriber}"
