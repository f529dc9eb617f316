"""The emails alerts send: confirmation, manage link, and the alerts themselves."""

import functools

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


_TOKEN = "TOKEN"


def signed_link(name: str, token: str) -> str:
    """The full address of a signed-link page: the URL pattern is reversed once
    per name, not once per email (a digest makes thousands)."""
    before, after = _link_parts(name, settings.SITE_URL)
    return f"{before}{token}{after}"


@functools.cache
def _link_parts(name: str, site_url: str) -> tuple[str, str]:
    before, after = absolute(reverse(name, args=[_TOKEN])).split(_TOKEN)
    return before, after


def _message(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    headers=None,
    html_template: str = "",
):
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(template, context),
        to=[to],
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    if html_template:
        # The same words as the text part, for mail clients that show HTML.
        html = render_to_string(html_template, {**context, "subject": subject})
        message.attach_alternative(html, "text/html")
    return message


def confirmation(
    *,
    email: str,
    token: str,
    search_title: str,
    frequency: str,
    asked_at,
    asked_from: str,
):
    return _message(
        to=email,
        subject="Confirm your email alert from the MPS Portal",
        template="alerts/email/confirm.txt",
        context={
            "confirm_url": absolute(reverse("alerts:confirm", args=[token])),
            "search_title": search_title,
            "frequency": frequency,
            "asked_at": asked_at,
            "asked_from": asked_from,
            "privacy_url": absolute(reverse("alerts:privacy")),
        },
    )


def manage_link(*, subscriber, token: str):
    return _message(
        to=subscriber.email,
        subject="Manage your email alerts from the MPS Portal",
        template="alerts/email/manage.txt",
        context={"manage_url": absolute(reverse("alerts:manage", args=[token]))},
    )


def alert(*, subscriber, run, found, titles):
    """One email for a subscriber's whole run, with one-click unsubscribe (RFC 8058)
    from every subscription it covers, and a link per subscription."""
    from .services import manage_token, unsubscribe_token

    subscriptions = [subscription for subscription, _ in found]
    unsubscribe_all = signed_link(
        "alerts:unsubscribe", unsubscribe_token(subscriber, subscriptions)
    )
    sections = []
    for subscription, items in found:
        sections.append(
            {
                "title": titles(subscription),
                "items": [{"item": item, "url": absolute(item.url)} for item in items],
                "unsubscribe_url": signed_link(
                    "alerts:unsubscribe", unsubscribe_token(subscriber, [subscription])
                ),
            }
        )
    # A change matching several searches is one change.
    count = len({item.key for _, items in found for item in items})
    if run.period_key:
        period = "Daily" if run.frequency == "daily" else "Weekly"
        subject = f"{period} update from the MPS Portal: {count} change" + (
            "s" if count != 1 else ""
        )
    elif count == 1:
        subject = f"MPS Portal: {found[0][1][0].title}"
    else:
        subject = f"MPS Portal: {count} new changes"
    return _message(
        to=subscriber.email,
        subject=subject,
        template="alerts/email/alert.txt",
        html_template="alerts/email/alert.html",
        context={
            "run": run,
            "sections": sections,
            "unsubscribe_url": unsubscribe_all,
            "manage_url": signed_link("alerts:manage", manage_token(subscriber)),
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe_all}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
