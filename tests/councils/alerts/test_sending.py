"""Alerts arrive through SMTP: immediately, or in one daily or weekly digest per
address, and never twice."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from councils.alerts import services
from councils.alerts.models import Subscriber, Subscription
from councils.publishing import publish
from providers.models import Rating
from tests.factories import (
    ArrangementFactory,
    CareServiceFactory,
    SectionFactory,
    TenderFactory,
    TypeOfCareFactory,
)
from tests.providers.conftest import DATA

from .conftest import body, link_to, run_worker
from .helpers import subscribed

pytestmark = pytest.mark.django_db

ADDRESS = "provider@example.com"
CQC_ACTIVE_LOCATIONS = DATA / "01_November_2025_HSCA_Active_Locations.ods"


def send(frequency):
    out = io.StringIO()
    call_command("send_alerts", frequency, stdout=out)
    assert f"Queued {frequency} alerts" in out.getvalue()
    run_worker()


def test_daily_digest_tells_what_matched_the_search(
    client, inbox, clock, gateshead, darlington
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    wanted = TenderFactory(council=gateshead, title="Home care in Gateshead")
    TenderFactory(council=darlington, title="Day care in Darlington")
    clock.move_to("2025-03-06 06:00Z")  # Thursday morning: Wednesday's digest

    send("daily")

    [message] = inbox.to(ADDRESS)
    assert message["Subject"] == "Daily update from the MPS Portal: 1 change"
    text = body(message)
    assert "Your daily update from the North East MPS Portal, 5 March 2025." in text
    assert "Home care in Gateshead" in text
    assert "New tender from Gateshead Council" in text
    assert "Darlington" not in text
    assert f"https://mps.example.org{wanted.get_absolute_url()}" in text
    assert client.get(wanted.get_absolute_url()).status_code == 200


def test_each_alert_email_offers_one_click_unsubscribe(client, inbox, clock, gateshead):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead)
    clock.move_to("2025-03-06 06:00Z")
    send("daily")
    [message] = inbox.to(ADDRESS)

    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message["List-Unsubscribe"]
    assert header.startswith("<https://mps.example.org/alerts/unsubscribe/")
    assert header.endswith(">")
    assert message["Auto-Submitted"] == "auto-generated"
    # What a mail client does (RFC 8058): a POST with no cookie and no CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        header[1:-1].removeprefix("https://mps.example.org"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert not Subscriber.objects.exists()  # the address goes with its last search


def test_the_unsubscribe_link_in_the_body_asks_then_unsubscribes(
    client, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    subscribed(
        client, inbox, "?council=gateshead", source="arrangements", address=ADDRESS
    )
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead)
    ArrangementFactory(council=gateshead)
    clock.move_to("2025-03-06 06:00Z")
    send("daily")
    [message] = inbox.to(ADDRESS)
    first = link_to(message, "/alerts/unsubscribe/")

    page = client.get(first)
    assert page.status_code == 200
    assert Subscription.objects.count() == 2  # a GET changes nothing
    done = client.post(first)
    assert done.status_code == 200
    assert list(Subscription.objects.values_list("source", flat=True)) == [
        "arrangements"
    ]
    assert Subscriber.objects.filter(email=ADDRESS).exists()


def test_one_digest_per_address_however_many_searches_match(
    client, inbox, clock, gateshead
):
    home_care = TypeOfCareFactory(name="Home care", slug="home-care")
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    subscribed(
        client, inbox, "?council=gateshead", source="arrangements", address=ADDRESS
    )
    subscribed(client, inbox, "?council=gateshead", source="council", address=ADDRESS)
    subscribed(
        client, inbox, "?type_of_care=home-care", source="market", address=ADDRESS
    )
    clock.shift(timedelta(hours=2))
    TenderFactory(
        council=gateshead, title="Home care tender", types_of_care=[home_care]
    )
    ArrangementFactory(council=gateshead, name="Home care framework")
    SectionFactory(council=gateshead)  # a first publication: a major change
    CareServiceFactory(
        council=gateshead,
        name="Riverside care home",
        cqc_location_id="1-000000001",
        rating=Rating.GOOD,
        rating_published_on="2025-03-05",
    )
    clock.move_to("2025-03-06 06:00Z")

    send("daily")

    [message] = inbox.to(ADDRESS)
    text = body(message)
    assert message["Subject"] == "Daily update from the MPS Portal: 4 changes"
    assert "Tender opportunities: Gateshead Council" in text
    assert "Contracting arrangements: Gateshead Council" in text
    # The council follows its tenders, arrangements, MPS changes and ratings.
    parts = {part.splitlines()[0]: part for part in text.split("---\n")}
    council_part = parts["Everything about Gateshead Council"]
    for title in (
        "Home care tender",
        "Home care framework",
        "Riverside care home",
        "CQC rated it Good on 5 March 2025",
        "Gateshead Council: First published.",
    ):
        assert title in council_part
    market_part = parts["Everything about Home care"]
    assert "Home care tender" in market_part
    assert "Home care framework" not in market_part  # it has no type of care


def test_nothing_from_before_the_subscription_is_sent(client, inbox, clock, gateshead):
    TenderFactory(council=gateshead, title="Old news")
    clock.shift(timedelta(hours=1))
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    clock.move_to("2025-03-06 06:00Z")
    send("daily")
    assert inbox.to(ADDRESS) == []


def test_a_digest_run_again_sends_nothing_twice(client, inbox, clock, gateshead):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead)
    clock.move_to("2025-03-06 06:00Z")
    send("daily")
    clock.shift(timedelta(hours=1))
    send("daily")
    assert len(inbox.to(ADDRESS)) == 1


def test_an_interrupted_digest_sends_the_rest_when_run_again(
    client, inbox, clock, gateshead
):
    addresses = ["a@example.com", "b@example.com", "c@example.com"]
    for address in addresses:
        subscribed(client, inbox, "?council=gateshead", address=address)
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead)
    clock.move_to("2025-03-06 06:00Z")

    inbox.refuse = {"b@example.com"}  # the mail server fails part way
    send("daily")
    assert [len(inbox.to(a)) for a in addresses] == [1, 0, 1]

    inbox.refuse = set()
    send("daily")
    assert [len(inbox.to(a)) for a in addresses] == [1, 1, 1]


def test_weekly_digest_covers_monday_to_sunday(client, inbox, clock, gateshead):
    subscribed(client, inbox, "?council=gateshead", frequency="weekly", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead, title="Wednesday's tender")
    clock.move_to("2025-03-09 20:00Z")
    TenderFactory(council=gateshead, title="Sunday's tender")
    clock.move_to("2025-03-10 05:00Z")
    TenderFactory(council=gateshead, title="Monday's tender")
    clock.move_to("2025-03-10 06:00Z")

    send("daily")  # a weekly subscriber gets no daily digest
    assert inbox.to(ADDRESS) == []
    send("weekly")

    [message] = inbox.to(ADDRESS)
    text = body(message)
    assert message["Subject"] == "Weekly update from the MPS Portal: 2 changes"
    assert "3 March 2025 to 9 March 2025" in text
    assert "Wednesday's tender" in text and "Sunday's tender" in text
    assert "Monday's tender" not in text


def test_immediate_alerts_send_each_change_once(client, inbox, clock, gateshead):
    subscribed(
        client, inbox, "?council=gateshead", frequency="immediately", address=ADDRESS
    )
    clock.shift(timedelta(minutes=10))
    TenderFactory(council=gateshead, title="First tender")
    clock.shift(timedelta(minutes=5))
    send("immediately")
    [first] = inbox.to(ADDRESS)
    assert first["Subject"] == "MPS Portal: First tender"

    clock.shift(timedelta(minutes=5))
    send("immediately")
    assert len(inbox.to(ADDRESS)) == 1

    TenderFactory(council=gateshead, title="Second tender")
    clock.shift(timedelta(minutes=5))
    send("immediately")
    second = inbox.to(ADDRESS)[1]
    assert "Second tender" in body(second)
    assert "First tender" not in body(second)


def test_a_changed_tender_is_sent_again_as_updated(client, inbox, clock, gateshead):
    subscribed(
        client, inbox, "?council=gateshead", frequency="immediately", address=ADDRESS
    )
    clock.shift(timedelta(minutes=10))
    tender = TenderFactory(council=gateshead, title="Day services")
    clock.shift(timedelta(minutes=5))
    send("immediately")
    assert "New tender from Gateshead Council" in body(inbox.to(ADDRESS)[0])
    clock.shift(timedelta(hours=3))
    tender.title = "Day services and short breaks"
    tender.status = tender.Status.OPEN
    tender.save()
    clock.shift(timedelta(minutes=5))
    send("immediately")
    # A working copy's edit is a draft until published: nothing is sent about it.
    assert len(inbox.to(ADDRESS)) == 1
    publish(obj=tender, user=None, major=True, note="Now open for bids.")
    clock.shift(timedelta(minutes=5))
    send("immediately")
    later = inbox.to(ADDRESS)[-1]
    assert len(inbox.to(ADDRESS)) == 2
    assert "Updated tender from Gateshead Council (open" in body(later)
    assert "Day services and short breaks" in body(later)


def test_a_keyword_search_alert_finds_the_new_tender(client, inbox, clock, gateshead):
    subscribed(
        client, inbox, "?q=supported+living", frequency="immediately", address=ADDRESS
    )
    clock.shift(timedelta(minutes=10))
    TenderFactory(council=gateshead, title="Supported living in Gateshead")
    TenderFactory(council=gateshead, title="Day services in Gateshead")
    clock.shift(timedelta(minutes=5))
    send("immediately")
    [message] = inbox.to(ADDRESS)
    assert "Supported living in Gateshead" in body(message)
    assert "Day services in Gateshead" not in body(message)


def test_the_manage_link_in_an_alert_lists_every_subscription(
    client, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    subscribed(client, inbox, "?council=gateshead", source="council", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead)
    clock.move_to("2025-03-06 06:00Z")
    send("daily")
    manage = link_to(inbox.to(ADDRESS)[0], "/alerts/manage/")

    page = client.get(manage)
    assert page.status_code == 200
    assert "Tender opportunities: Gateshead Council" in page.text
    assert "Gateshead Council: everything" not in page.text
    tenders, council = Subscription.objects.order_by("pk")

    changed = client.post(
        manage,
        {"subscription": tenders.pk, "frequency": "weekly", "action": "frequency"},
    )
    assert changed.status_code == 200
    assert "How often you get emails has been changed" in changed.text
    tenders.refresh_from_db()
    assert tenders.frequency == "weekly"

    client.post(
        manage,
        {"subscription": council.pk, "frequency": "daily", "action": "unsubscribe"},
    )
    assert list(Subscription.objects.all()) == [tenders]

    gone = client.post(manage, {"action": "unsubscribe-all"})
    assert gone.status_code == 200
    assert "Your email address has been deleted" in gone.text
    assert not Subscriber.objects.exists()


def test_manage_cannot_touch_another_addresss_subscription(
    client, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    subscribed(client, inbox, "?council=gateshead", address="other@example.com")
    mine = Subscriber.objects.get(email=ADDRESS)
    theirs = Subscription.objects.get(subscriber__email="other@example.com")
    manage = f"/alerts/manage/{services.manage_token(mine)}/"
    client.post(
        manage,
        {"subscription": theirs.pk, "frequency": "daily", "action": "unsubscribe"},
    )
    assert Subscription.objects.filter(pk=theirs.pk).exists()


def test_asking_for_a_manage_link_reveals_nothing(client, inbox, clock, gateshead):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    known = client.post("/alerts/manage/", {"email": ADDRESS})
    unknown = client.post("/alerts/manage/", {"email": "stranger@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page = client.get(known["Location"])
    assert "If that address has subscriptions" in page.text
    run_worker()
    assert inbox.to("stranger@example.com") == []
    [message] = inbox.to(ADDRESS)
    assert client.get(link_to(message, "/alerts/manage/")).status_code == 200


def test_tampered_and_expired_manage_and_unsubscribe_links_are_refused(
    client, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    subscriber = Subscriber.objects.get()
    manage = f"/alerts/manage/{services.manage_token(subscriber)}/"
    unsubscribe = (
        "/alerts/unsubscribe/"
        f"{services.unsubscribe_token(subscriber, subscriber.subscriptions.all())}/"
    )
    for link in (manage, unsubscribe):
        tampered = link[:-3] + "xx/"
        assert client.get(tampered).status_code == 400
        response = client.post(
            tampered,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 400
        assert "This link does not work" in response.text

    clock.shift(timedelta(days=8))
    expired = client.get(manage)
    assert expired.status_code == 400
    assert "This link has expired" in expired.text
    assert client.get(unsubscribe).status_code == 200  # a year, for old emails
    clock.shift(timedelta(days=365))
    assert client.post(unsubscribe).status_code == 400
    assert Subscription.objects.exists()


def test_an_invalid_manage_form_is_refused(client):
    response = client.post("/alerts/manage/", {"email": "nope"})
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.text


def test_a_manage_post_without_a_subscription_is_a_clear_400(
    client, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    manage = f"/alerts/manage/{services.manage_token(Subscriber.objects.get())}/"
    response = client.post(manage, {"action": "frequency", "frequency": "hourly"})
    assert response.status_code == 400
    assert "There is a problem" in response.text


def make_subscribers(count: int, councils) -> None:
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com") for n in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=subscriber,
            source=["tenders", "council", "directory"][n % 3],
            query=f"council={councils[n % len(councils)].slug}",
            frequency="daily",
        )
        for n, subscriber in enumerate(subscribers)
    )


def test_preparing_a_digest_takes_the_same_queries_for_more_subscribers(
    clock, gateshead, darlington
):
    for council in (gateshead, darlington):
        TenderFactory(council=council)
        ArrangementFactory(council=council)
        CareServiceFactory(
            council=council,
            cqc_location_id=f"1-{council.pk}",
            rating=Rating.GOOD,
            rating_published_on="2025-03-05",
        )
    run = services.run_for("daily", services.timezone.now() + timedelta(days=1))

    make_subscribers(10, [gateshead, darlington])
    with CaptureQueriesContext(connection) as few:
        few_found = services.alerts_collect(run)
    Subscriber.objects.all().delete()
    make_subscribers(300, [gateshead, darlington])
    with CaptureQueriesContext(connection) as many:
        many_found = services.alerts_collect(run)

    assert len(few_found) == 10 and len(many_found) == 300
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("interruption", ["drop_after_data", "stop_worker_after_data"])
def test_an_email_interrupted_after_the_server_took_it_is_never_sent_twice(
    client, inbox, clock, gateshead, interruption
):
    addresses = ["a@example.com", "b@example.com", "c@example.com"]
    for address in addresses:
        subscribed(client, inbox, "?council=gateshead", address=address)
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead)
    clock.move_to("2025-03-06 06:00Z")

    setattr(inbox, interruption, {"b@example.com"})
    send("daily")
    setattr(inbox, interruption, set())
    clock.shift(timedelta(minutes=5))
    send("daily")
    clock.shift(timedelta(hours=1))
    send("daily")

    assert [len(inbox.to(a)) for a in addresses] == [1, 1, 1]


def test_an_email_the_run_could_not_confirm_is_reported(
    client, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead)
    clock.move_to("2025-03-06 06:00Z")
    inbox.drop_after_data = {ADDRESS}
    send("daily")
    clock.shift(timedelta(hours=2))

    out, err = io.StringIO(), io.StringIO()
    call_command("send_alerts", "daily", stdout=out, stderr=err)

    assert "1 alert email may not have arrived" in err.getvalue()
    assert "They are not sent again" in err.getvalue()


def test_a_rating_imported_long_after_cqc_published_it_is_in_that_days_digest(
    client, inbox, clock, north_east_councils
):
    clock.move_to("2025-11-05 09:30Z")
    subscribed(client, inbox, "?council=gateshead", source="directory", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    # CQC's file of 1 November rates Test Care Home One Good, published 14 March.
    call_command("import_cqc_ratings", str(CQC_ACTIVE_LOCATIONS), stdout=io.StringIO())
    clock.move_to("2025-11-06 06:00Z")

    send("daily")

    [message] = inbox.to(ADDRESS)
    text = body(message)
    assert "Test Care Home One" in text
    assert "CQC rated it Good on 14 March 2025" in text
    clock.move_to("2025-11-07 06:00Z")
    send("daily")
    assert len(inbox.to(ADDRESS)) == 1  # the next day's digest has nothing new


def test_an_alert_email_has_a_plain_html_part_with_the_same_links(
    client, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    tender = TenderFactory(council=gateshead, title="Respite <b>& day care</b>")
    clock.move_to("2025-03-06 06:00Z")
    send("daily")

    [message] = inbox.to(ADDRESS)
    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Respite &lt;b&gt;&amp; day care&lt;/b&gt;" in html
    assert "<b>" not in html
    assert f'href="https://mps.example.org{tender.get_absolute_url()}"' in html
    unsubscribe = re.search(
        r'href="https://mps\.example\.org(/alerts/unsubscribe/[^"]+)"', html
    )[1]
    assert unsubscribe in body(message)  # the text part keeps every link
    assert client.post(unsubscribe).status_code == 200
    assert not Subscription.objects.exists()
