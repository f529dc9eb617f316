"""Subscribing, confirming, unsubscribing and sending email alerts."""

import hashlib
import ipaddress
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone

from mps_portal.limits import count_hit

from . import emails, sources
from .models import Delivery, Frequency, Subscriber, Subscription

logger = logging.getLogger(__name__)

CONFIRM_SALT = "councils.alerts.confirm"
MANAGE_SALT = "councils.alerts.manage"
UNSUBSCRIBE_SALT = "councils.alerts.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=7)
MANAGE_MAX_AGE = timedelta(days=7)
UNSUBSCRIBE_MAX_AGE = timedelta(days=365)
# Immediate alerts look this far back, so a run that was missed is caught up.
IMMEDIATE_LOOKBACK = timedelta(days=1)
DELIVERIES_KEPT = timedelta(days=60)


class SearchError(ValueError):
    """A search that cannot be followed; ``messages`` say why, field by field."""

    def __init__(self, messages: list[tuple[str, str]]):
        super().__init__("; ".join(text for _, text in messages))
        self.messages = messages


class LinkError(ValueError):
    def __init__(self, *, expired: bool):
        super().__init__("expired" if expired else "not valid")
        self.expired = expired


class TooManyEmails(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Search:
    """A checked search that can be followed: a finder's filters or a topic."""

    source: str
    query: str
    heading: str
    rows: list[tuple[str, str]]

    @property
    def title(self) -> str:
        if self.source in sources.TOPICS:
            return f"Everything about {self.heading}"
        if not self.rows:
            return f"{self.heading}: everything"
        return f"{self.heading}: " + "; ".join(f"{v}" for _, v in self.rows)


def search_check(*, source: str, data: QueryDict) -> Search:
    """The search asked for, with every filter value checked; raises SearchError."""
    topic = sources.TOPICS.get(source)
    if topic is not None:
        return _topic_search(topic, data)
    found = sources.get(source)
    if found is None:
        raise SearchError([("source", "There are no email alerts for that page")])
    filterset = found.bind(data.urlencode())
    if not filterset.is_valid():
        raise SearchError(
            [
                (name, str(message))
                for name, messages in filterset.form.errors.items()
                for message in messages
            ]
        )
    return Search(
        source=found.key,
        query=sources.canonical_query(filterset),
        heading=found.label,
        rows=sources.describe(filterset),
    )


def _topic_search(topic: sources.Topic, data: QueryDict) -> Search:
    value = data.get(topic.filter_name, "").strip()
    answering = sources.answering(topic)
    if not value or not answering:
        raise SearchError([(topic.filter_name, f"Choose {topic.label} to follow")])
    # Any source taking the filter checks the value (they share one vocabulary).
    first = answering[0]
    filterset = first.bind(urlencode({first.topics[topic.filter_name]: value}))
    if not filterset.is_valid():
        raise SearchError(
            [
                (topic.filter_name, str(message))
                for messages in filterset.form.errors.values()
                for message in messages
            ]
        )
    rows = sources.describe(filterset)
    return Search(
        source=topic.key,
        query=urlencode({topic.filter_name: value}),
        heading=rows[0][1] if rows else value,
        rows=[],
    )


def search_for(subscription: Subscription) -> Search | None:
    """The subscription's search, checked again (a council may have gone)."""
    try:
        return search_check(
            source=subscription.source, data=QueryDict(subscription.query)
        )
    except SearchError:
        return None


def _address_key(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def _limit_address(email: str) -> None:
    retry_after = count_hit(
        f"alerts-address:{_address_key(email)}",
        limit=settings.ALERTS_EMAILS_PER_ADDRESS_PER_HOUR,
        window=3600,
    )
    if retry_after:
        raise TooManyEmails(retry_after)


def partial_address(ip: str) -> str:
    """Enough of a client address to recognise, not to trace: 203.0.113.x."""
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return "an unknown address"
    if parsed.version == 4:
        return ".".join(ip.split(".")[:3]) + ".x"
    return ":".join(parsed.exploded.split(":")[:3]) + ":…"


def subscription_request(
    *, email: str, search: Search, frequency: str, client_ip: str
) -> None:
    """Send a confirmation email (in the background); store nothing yet."""
    from . import tasks

    email = email.strip().lower()
    _limit_address(email)
    token = signing.dumps(
        {"e": email, "s": search.source, "q": search.query, "f": frequency},
        salt=CONFIRM_SALT,
    )
    tasks.send_confirmation.enqueue(
        email=email,
        token=token,
        search_title=search.title,
        frequency=str(Frequency(frequency).label),
        asked_at=timezone.now().isoformat(),
        asked_from=partial_address(client_ip),
    )


def _load(token: str, salt: str, max_age: timedelta) -> dict:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkError(expired=True) from error
    except signing.BadSignature as error:
        raise LinkError(expired=False) from error


def confirmation_read(*, token: str) -> tuple[dict, Search]:
    """What a confirmation link asks for; raises LinkError or SearchError."""
    data = _load(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    search = search_check(source=data["s"], data=QueryDict(data["q"]))
    return data, search


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscription:
    """Store the subscription a confirmation link asks for; twice is once."""
    data, search = confirmation_read(token=token)
    subscriber, _ = Subscriber.objects.get_or_create(email=data["e"])
    subscription, created = Subscription.objects.get_or_create(
        subscriber=subscriber,
        source=search.source,
        query=search.query,
        defaults={"frequency": data["f"]},
    )
    if not created and subscription.frequency != data["f"]:
        subscription.frequency = data["f"]
        subscription.save(update_fields=["frequency"])
    return subscription


def manage_link_request(*, email: str) -> None:
    """Send the manage link if the address has subscriptions; say nothing either
    way (the task checks, so the page answers the same and as fast)."""
    from . import tasks

    email = email.strip().lower()
    try:
        _limit_address(email)
    except TooManyEmails:
        return
    tasks.send_manage_link.enqueue(email=email)


def manage_token(subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=MANAGE_SALT)


def subscriber_from_manage_token(token: str) -> Subscriber:
    data = _load(token, MANAGE_SALT, MANAGE_MAX_AGE)
    subscriber = Subscriber.objects.filter(pk=data["s"], email=data["e"]).first()
    if subscriber is None:
        # Unsubscribed from everything since: the link has nothing left to manage.
        raise LinkError(expired=True)
    return subscriber


def unsubscribe_token(subscriber: Subscriber, subscriptions: list) -> str:
    return signing.dumps(
        {"e": subscriber.email, "ids": sorted(s.pk for s in subscriptions)},
        salt=UNSUBSCRIBE_SALT,
    )


def unsubscribe_check(token: str) -> None:
    """Raises LinkError unless the unsubscribe link is genuine and in date."""
    _load(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_MAX_AGE)


@transaction.atomic
def subscriptions_delete_by_token(*, token: str) -> int:
    """Unsubscribe what an unsubscribe link names; deleting what is already gone
    is not an error (mail clients may send the one-click POST twice)."""
    data = _load(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_MAX_AGE)
    subscriptions = Subscription.objects.filter(
        pk__in=data["ids"], subscriber__email=data["e"]
    )
    return subscriptions_delete(subscriptions=subscriptions)


def subscriptions_delete(*, subscriptions) -> int:
    """Delete the subscriptions, and any address left with none (and with it
    what it was sent)."""
    subscriber_ids = set(subscriptions.values_list("subscriber_id", flat=True))
    deleted, _ = subscriptions.delete()
    Subscriber.objects.filter(pk__in=subscriber_ids, subscriptions=None).delete()
    return deleted


# Sending


@dataclass(frozen=True)
class Run:
    """One sending run: its frequency, the window it covers and its record key."""

    frequency: str
    start: datetime
    end: datetime
    period_key: str  # "" for immediate alerts: those are recorded item by item

    @property
    def last_day(self):
        return timezone.localdate(self.end - timedelta(seconds=1))


def run_for(frequency: str, now: datetime) -> Run:
    """The window a run at ``now`` covers: for digests, the last whole day (or
    Monday-to-Sunday week) in the portal's time zone."""
    if frequency == Frequency.IMMEDIATELY:
        return Run(frequency, now - IMMEDIATE_LOOKBACK, now, "")
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == Frequency.DAILY:
        end, length = midnight, timedelta(days=1)
    elif frequency == Frequency.WEEKLY:
        end, length = midnight - timedelta(days=local.weekday()), timedelta(days=7)
    else:
        raise ValueError(f"No frequency {frequency!r}")
    start = timezone.make_aware(
        datetime.combine(end.date() - length, datetime.min.time())
    )
    return Run(frequency, start, end, f"{frequency}:{start.date().isoformat()}")


def alerts_collect(run: Run) -> dict[Subscriber, list[tuple[Subscription, list]]]:
    """What each subscriber should be told in ``run``, before anything already
    sent is taken out.

    Queries: one for the subscriptions, then one per distinct search (shared by
    every subscriber who follows it), however many subscribers there are.
    """
    subscriptions = list(Subscription.objects.due(run.frequency).order_by("pk"))
    changed = {}
    results: dict[tuple[str, str], list] = {}

    def matches(source: sources.Source, query: str) -> list:
        key = (source.key, query)
        if key not in results:
            if source.key not in changed:
                changed[source.key] = source.changed(run.start, run.end)
            filterset = source.bind(query, changed[source.key])
            results[key] = (
                [source.item(obj) for obj in filterset.qs]
                if filterset.is_valid()
                else []
            )
        return results[key]

    per_subscriber = defaultdict(list)
    for subscription in subscriptions:
        topic = sources.TOPICS.get(subscription.source)
        if topic is not None:
            value = QueryDict(subscription.query).get(topic.filter_name, "")
            items = [
                item
                for source in sources.answering(topic)
                for item in matches(
                    source, urlencode({source.topics[topic.filter_name]: value})
                )
            ]
        elif (source := sources.get(subscription.source)) is not None:
            items = matches(source, subscription.query)
        else:
            items = []
        items = [i for i in items if i.happened_at >= subscription.confirmed_at]
        if items:
            per_subscriber[subscription.subscriber].append((subscription, items))
    return per_subscriber


@dataclass
class _Email:
    """One email of a run: to whom, what it tells, and the deliveries it records."""

    subscriber: Subscriber
    found: list[tuple[Subscription, list]]
    keys: list[str]
    claims: list[Delivery] = field(default_factory=list)


# Emails claimed, sent and recorded together: one INSERT, one UPDATE and two
# commits per batch. A run killed outright leaves at most one batch “sending”.
SEND_BATCH = 100
# A claim still “sending” this long after it was made belongs to a run that stopped.
CLAIM_STALE_AFTER = timedelta(hours=1)

# The mail server answered no: nothing was handed over, so it can be sent again.
_REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


def _unsent(run: Run, collected) -> list[_Email]:
    """The emails of the run not claimed by an earlier one (sent, or interrupted
    while sending: either way not sent again)."""
    if run.period_key:
        done = set(
            Delivery.objects.filter(key=run.period_key).values_list(
                "subscriber_id", flat=True
            )
        )
        return [
            _Email(subscriber, found, [run.period_key])
            for subscriber, found in collected.items()
            if subscriber.pk not in done
        ]
    keys = {
        f"item:{item.key}"
        for found in collected.values()
        for _, items in found
        for item in items
    }
    done = set(
        Delivery.objects.filter(key__in=keys).values_list("subscriber_id", "key")
    )
    emails_ = []
    for subscriber, found in collected.items():
        found = [
            (subscription, new)
            for subscription, items in found
            if (
                new := [
                    i for i in items if (subscriber.pk, f"item:{i.key}") not in done
                ]
            )
        ]
        if found:
            keys = sorted({f"item:{i.key}" for _, items in found for i in items})
            emails_.append(_Email(subscriber, found, keys))
    return emails_


def _claim(batch: list[_Email]) -> list[_Email]:
    """Commit a “sending” delivery for each email before it goes to the mail
    server; an email another run claimed meanwhile is left to that run."""
    rows = [
        (
            email,
            Delivery(
                subscriber=email.subscriber, key=key, status=Delivery.Status.SENDING
            ),
        )
        for email in batch
        for key in email.keys
    ]
    try:
        with transaction.atomic():
            Delivery.objects.bulk_create([row for _, row in rows])
        claimed = rows
    except IntegrityError:
        claimed = []
        for email, row in rows:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            claimed.append((email, row))
    for email, row in claimed:
        email.claims.append(row)
    ours = []
    for email in batch:
        keys = {row.key for row in email.claims}
        if keys != set(email.keys):
            # Only what this run claimed (immediate alerts record item by item).
            email.found = [
                (subscription, new)
                for subscription, items in email.found
                if (new := [i for i in items if f"item:{i.key}" in keys])
            ]
            email.keys = sorted(keys)
        if email.found:
            ours.append(email)
    return ours


def _settle(*, sent: list[_Email], released: list[_Email]) -> None:
    """Mark what the mail server took as sent, and drop the claims of what it
    refused or was never handed over (the next run sends those)."""
    with transaction.atomic():
        Delivery.objects.filter(
            pk__in=[row.pk for email in sent for row in email.claims]
        ).update(status=Delivery.Status.SENT)
        Delivery.objects.filter(
            pk__in=[row.pk for email in released for row in email.claims]
        ).delete()


def alerts_send(*, frequency: str, now: datetime | None = None) -> dict:
    """Send one email per subscriber for the run at ``now``, in batches over one
    connection to the mail server.

    Each email is claimed (committed as “sending”) before it is handed to the mail
    server and marked sent after, so nothing is sent twice: an email the run cannot
    be sure about (the connection dropped while sending, or the run was stopped)
    stays “sending” and is counted as ``unconfirmed``, never sent again. One the
    server refused, or never got, is sent by the next run.
    """
    run = run_for(frequency, now or timezone.now())
    pending = _unsent(run, alerts_collect(run))
    result = {
        "sent": 0,
        "failed": 0,
        "unconfirmed": 0,
        "period": run.period_key or "immediate",
    }
    titles_seen: dict[tuple[str, str], str] = {}

    def titles(subscription: Subscription) -> str:
        """Each search's title, worked out once however many follow it."""
        key = (subscription.source, subscription.query)
        if key not in titles_seen:
            search = search_for(subscription)
            titles_seen[key] = search.title if search else subscription.query
        return titles_seen[key]

    if pending:
        connection = mail.mailers.default
        try:
            connection.open()
        except (smtplib.SMTPException, OSError):
            logger.exception("Could not connect to the mail server to send alerts")
            result["failed"] = len(pending)
            pending = []
        try:
            for start in range(0, len(pending), SEND_BATCH):
                batch = _claim(pending[start : start + SEND_BATCH])
                _send_batch(connection, run, batch, titles, result)
        finally:
            connection.close()
    _deliveries_prune(run)
    if result["unconfirmed"]:
        logger.error(
            "%s alert emails may or may not have reached the mail server (the "
            "connection dropped while sending); they are not sent again",
            result["unconfirmed"],
        )
    return result


def _send_batch(connection, run: Run, batch: list[_Email], titles, result) -> None:
    """Hand a claimed batch to the mail server and record what became of each."""
    sent, released = [], []
    handed_over = None  # the email with the mail server now, if any
    done = 0
    try:
        for email in batch:
            message = emails.alert(
                subscriber=email.subscriber, run=run, found=email.found, titles=titles
            )
            handed_over = email
            try:
                connection.send_messages([message])
            except _REFUSED:
                logger.exception(
                    "The mail server refused alerts to %s", email.subscriber.pk
                )
                released.append(email)
                result["failed"] += 1
            except (smtplib.SMTPException, OSError):
                # The server may have taken it before the connection went.
                logger.exception(
                    "Lost the mail server sending to %s", email.subscriber.pk
                )
                result["unconfirmed"] += 1
                handed_over = None
                done += 1
                connection.close()
                connection.open()
                continue
            else:
                sent.append(email)
                result["sent"] += 1
            handed_over = None
            done += 1
    finally:
        # Interrupted (an exception, the worker stopped): the email with the server
        # stays claimed, the ones never tried are released.
        not_tried = [e for e in batch[done:] if e is not handed_over]
        _settle(sent=sent, released=released + not_tried)


def _deliveries_prune(run: Run) -> None:
    # Items older than the look-back are never picked again; digests are kept
    # for a while to show what was sent.
    Delivery.objects.filter(
        key__startswith="item:", sent_at__lt=run.start - IMMEDIATE_LOOKBACK
    ).delete()
    Delivery.objects.exclude(key__startswith="item:").filter(
        sent_at__lt=run.end - DELIVERIES_KEPT
    ).delete()
