"""Subscribing: the search is checked, a confirmation email is sent, and nothing
is stored until its link is followed."""

from datetime import timedelta

import pytest
from django.urls import reverse

from councils.alerts.models import Subscriber, Subscription
from tests.factories import TypeOfCareFactory

from .conftest import body, link_to, run_worker

pytestmark = pytest.mark.django_db

ADDRESS = "provider@example.com"


def subscribe(client, query, address=ADDRESS, frequency="daily", source="tenders"):
    return client.post(
        reverse("alerts:subscribe", args=[source]) + query,
        {"email": address, "frequency": frequency},
        REMOTE_ADDR="203.0.113.7",
    )


@pytest.fixture
def home_care(db):
    return TypeOfCareFactory(name="Home care", slug="home-care")


def test_finder_links_to_get_emails_about_its_search(client, gateshead):
    response = client.get("/opportunities/?council=gateshead&sort=title")
    assert (
        'href="/alerts/new/tenders/?council=gateshead&amp;sort=title">'
        "Get emails about this search</a>" in response.text
    )


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("/opportunities/arrangements/", "arrangements"),
        ("/services/", "directory"),
    ],
)
def test_every_finder_links_to_get_emails(client, url, source):
    response = client.get(url)
    assert f'href="/alerts/new/{source}/">Get emails about this search' in response.text


def test_council_and_market_pages_link_to_get_emails(client, gateshead, home_care):
    council_page = client.get(gateshead.get_absolute_url())
    assert (
        'href="/alerts/new/council/?council=gateshead">Get emails about this council'
        in council_page.text
    )
    market_page = client.get(home_care.get_absolute_url())
    assert (
        'href="/alerts/new/market/?type_of_care=home-care">Get emails about home care'
        in market_page.text
    )


def test_subscribe_page_describes_the_search(client, gateshead, home_care):
    response = client.get(
        "/alerts/new/tenders/?type_of_care=home-care&council=gateshead&page=2"
    )
    assert response.status_code == 200
    assert "Tender opportunities" in response.text
    assert "Gateshead Council" in response.text
    assert "Home care" in response.text


def test_subscribing_sends_a_confirmation_and_stores_nothing(
    client, inbox, clock, gateshead
):
    response = subscribe(client, "?council=gateshead")
    assert response.status_code == 302
    assert response["Location"] == reverse("alerts:check-email")
    assert not Subscriber.objects.exists()
    assert inbox.messages == []  # sent by the worker, not in the request

    run_worker()

    [message] = inbox.to(ADDRESS)
    assert message["Subject"] == "Confirm your email alert from the MPS Portal"
    text = body(message)
    assert "Tender opportunities: Gateshead Council" in text
    assert "on 5 March 2025 at 09:30 (UK time)" in text
    assert "from an internet address starting 203.0.113.x" in text
    assert "203.0.113.7" not in text
    assert "If it was not you, ignore this email" in text
    assert not Subscriber.objects.exists()


def test_following_the_link_and_confirming_subscribes(client, inbox, clock, gateshead):
    subscribe(client, "?council=gateshead", frequency="weekly")
    run_worker()
    confirm = link_to(inbox.to(ADDRESS)[0], "/alerts/confirm/")

    page = client.get(confirm)
    assert page.status_code == 200
    assert "Confirm subscription" in page.text
    assert not Subscription.objects.exists()  # a GET (a mail scanner) is not enough

    done = client.post(confirm)
    assert done.status_code == 200
    assert "subscribed" in done.text and "govuk-panel" in done.text
    subscription = Subscription.objects.get()
    assert subscription.subscriber.email == ADDRESS
    assert (subscription.source, subscription.query) == ("tenders", "council=gateshead")
    assert subscription.frequency == "weekly"


def test_the_same_search_twice_is_one_subscription(client, inbox, clock, gateshead):
    subscribe(client, "?council=gateshead&sort=title", address="Provider@Example.com")
    subscribe(client, "?council=gateshead&page=3")
    run_worker()
    for message in inbox.to(ADDRESS):
        client.post(link_to(message, "/alerts/confirm/"))
    assert Subscription.objects.count() == 1
    assert Subscriber.objects.get().email == ADDRESS


def test_an_unknown_filter_value_is_refused_and_nothing_is_stored(client, inbox):
    response = subscribe(client, "?council=atlantis")
    assert response.status_code == 400
    assert "There is no council “atlantis”" in response.text
    assert "govuk-error-summary" in response.text
    run_worker()
    assert inbox.messages == []
    assert not Subscriber.objects.exists()


def test_an_unknown_source_is_refused(client):
    response = client.get("/alerts/new/horoscopes/")
    assert response.status_code == 400
    assert "There are no email alerts for that page" in response.text


def test_an_unknown_council_topic_is_refused(client):
    response = client.get("/alerts/new/council/?council=atlantis")
    assert response.status_code == 400
    assert "There is no council “atlantis”" in response.text


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "Enter your email address"),
        ("not-an-address", "Enter an email address in the correct format"),
        ("a@" + "b" * 260 + ".com", "254 characters or fewer"),
    ],
)
def test_an_invalid_address_is_refused(client, inbox, gateshead, address, message):
    response = subscribe(client, "?council=gateshead", address=address)
    assert response.status_code == 400
    assert message in response.text
    assert "Error: Get emails" in response.text
    run_worker()
    assert inbox.messages == []


def test_an_unknown_frequency_is_refused(client, gateshead):
    response = subscribe(client, "?council=gateshead", frequency="hourly")
    assert response.status_code == 400
    assert "Choose how often you want to get emails from the list" in response.text


def test_a_tampered_confirmation_link_is_refused(client, inbox, clock, gateshead):
    subscribe(client, "?council=gateshead")
    run_worker()
    confirm = link_to(inbox.to(ADDRESS)[0], "/alerts/confirm/")
    tampered = confirm.replace("/confirm/", "/confirm/x")
    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 400
        assert "This link does not work" in response.text
    assert not Subscription.objects.exists()


def test_an_expired_confirmation_link_is_refused(client, inbox, clock, gateshead):
    subscribe(client, "?council=gateshead")
    run_worker()
    confirm = link_to(inbox.to(ADDRESS)[0], "/alerts/confirm/")
    clock.shift(timedelta(days=8))
    response = client.post(confirm)
    assert response.status_code == 400
    assert "This link has expired" in response.text
    assert not Subscription.objects.exists()


def test_confirmation_emails_to_one_address_are_limited(
    client, inbox, clock, gateshead, settings
):
    settings.ALERTS_EMAILS_PER_ADDRESS_PER_HOUR = 2
    for number in range(2):
        assert (
            subscribe(client, f"?council=gateshead&q=care{number}").status_code == 302
        )
    response = subscribe(client, "?council=gateshead&q=respite")
    assert response.status_code == 429
    assert "Too many emails have been asked for to this address" in response.text
    assert int(response["Retry-After"]) <= 3600
    run_worker()
    assert len(inbox.to(ADDRESS)) == 2
    # Another address is not held back.
    assert (
        subscribe(client, "?council=gateshead", address="b@example.com").status_code
        == 302
    )


def test_subscribing_is_limited_per_client(
    client, gateshead, settings, one_rate_limit_window
):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "subscription": {**settings.RATE_LIMITS["subscription"], "limit": 2},
    }
    for number in range(2):
        response = subscribe(
            client, "?council=gateshead", address=f"{number}@example.com"
        )
        assert response.status_code == 302
    response = subscribe(client, "?council=gateshead", address="third@example.com")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_subscribe_page_names_choices_as_the_finder_does(client, gateshead):
    response = client.get("/alerts/new/tenders/?status=open&council=gateshead")
    assert "Open for bids" in response.text
    assert ">open<" not in response.text


def test_a_5000_character_keyword_search_is_refused(client, inbox):
    response = subscribe(client, "?q=" + "care" * 1250)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    run_worker()
    assert inbox.messages == []
    assert not Subscriber.objects.exists()
