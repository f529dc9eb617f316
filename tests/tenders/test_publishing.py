"""A tender's "publish at" is honoured on every page, feed and download, and a
tender that has been public is withdrawn, never deleted."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from councils import clock
from tenders.models import Tender
from tests.conftest import login_with_second_factor
from tests.factories import TenderFactory, make_commissioner

pytestmark = pytest.mark.django_db

TITLE = "Scheduled extra care contract"


@pytest.fixture
def scheduled(gateshead):
    return TenderFactory(
        council=gateshead,
        title=TITLE,
        published_at=clock.now() + datetime.timedelta(days=7),
    )


def everywhere(council):
    return [
        reverse("home"),
        council.get_absolute_url(),
        reverse("tenders:tender-list"),
        reverse("tenders:tender-list-csv"),
        reverse("tenders:tender-list-json"),
        reverse("tenders:tender-feed"),
    ]


def test_scheduled_tender_is_on_no_page_feed_or_download_before_its_time(
    client, gateshead, scheduled
):
    TenderFactory(council=gateshead, title="Already public contract")
    for url in everywhere(gateshead):
        assert TITLE not in client.get(url).content.decode(), url
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_scheduled_tender_appears_everywhere_once_its_time_has_come(
    client, gateshead, scheduled
):
    Tender.objects.filter(pk=scheduled.pk).update(
        published_at=clock.now() - datetime.timedelta(minutes=1)
    )
    for url in everywhere(gateshead):
        assert TITLE in client.get(url).content.decode(), url


def test_a_scheduled_tender_appears_when_the_clock_passes_its_time(
    client, gateshead, scheduled
):
    with time_machine.travel(clock.now() + datetime.timedelta(days=8)):
        for url in everywhere(gateshead):
            assert TITLE in client.get(url).content.decode(), url


def test_feed_never_says_a_tender_was_updated_before_it_was_published(
    client, gateshead, scheduled
):
    Tender.objects.filter(pk=scheduled.pk).update(
        published_at=clock.now() - datetime.timedelta(minutes=1),
        updated_at=clock.now() - datetime.timedelta(days=3),
    )
    feed = client.get(reverse("tenders:tender-feed")).text
    published = feed.split("<published>")[1].split("</published>")[0]
    updated = feed.split("<entry>")[1].split("<updated>")[1].split("</updated>")[0]
    assert updated >= published


def _admin_data(tender, **changes):
    return {
        "council": tender.council_id,
        "reference": tender.reference,
        "title": tender.title,
        "status": tender.status,
        "procurement_activity": tender.procurement_activity,
        "commencement": tender.commencement,
        "published_at_0": "",
        "published_at_1": "",
        **changes,
    }


def test_scheduling_a_tender_in_the_past_is_refused(gateshead_client, gateshead):
    tender = TenderFactory(council=gateshead)
    before = tender.published_at

    response = gateshead_client.post(
        reverse("admin:tenders_tender_change", args=[tender.pk]),
        _admin_data(tender, published_at_0="2020-01-01", published_at_1="09:00"),
    )

    assert response.status_code == 200
    assert "That time has passed" in response.text
    tender.refresh_from_db()
    assert tender.published_at == before


def test_commissioners_withdraw_rather_than_delete_a_public_tender(
    gateshead_client, gateshead
):
    tender = TenderFactory(council=gateshead)
    response = gateshead_client.post(
        reverse("admin:tenders_tender_delete", args=[tender.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Tender.objects.filter(pk=tender.pk).exists()


def test_administrators_delete_only_tenders_never_public(
    client, portal_admin, scheduled
):
    public = TenderFactory(council=scheduled.council)
    login_with_second_factor(client, portal_admin)

    client.post(
        reverse("admin:tenders_tender_delete", args=[public.pk]), {"post": "yes"}
    )
    client.post(
        reverse("admin:tenders_tender_delete", args=[scheduled.pk]), {"post": "yes"}
    )

    assert Tender.objects.filter(pk=public.pk).exists()
    assert not Tender.objects.filter(pk=scheduled.pk).exists()


def test_council_staff_preview_a_scheduled_tender_and_nobody_else_can(
    gateshead_client, darlington, scheduled
):
    response = gateshead_client.get(scheduled.get_preview_url())
    assert response.status_code == 200
    assert TITLE in response.text
    assert "This is a preview of unpublished changes" in response.text
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"

    visitor = Client()
    assert visitor.get(scheduled.get_preview_url()).status_code == 404
    visitor.force_login(make_commissioner(darlington))
    assert visitor.get(scheduled.get_preview_url()).status_code == 404


def test_tender_history_lists_admin_saves_and_compares_them_word_by_word(
    gateshead_client, gateshead
):
    tender = TenderFactory(council=gateshead, title="Home care in the west")
    url = reverse("admin:tenders_tender_change", args=[tender.pk])
    for title in ("Home care in the west and north", "Home care in the north"):
        tender.refresh_from_db()
        gateshead_client.post(
            url,
            _admin_data(
                tender,
                title=title,
                published_at_0=timezone.localtime(tender.published_at).strftime(
                    "%Y-%m-%d"
                ),
                published_at_1=timezone.localtime(tender.published_at).strftime(
                    "%H:%M:%S.%f"
                ),
            ),
        )
    history = gateshead_client.get(
        reverse("admin:tenders_tender_history", args=[tender.pk])
    )
    rows = history.context["rows"]
    assert len(rows) == 2
    assert "Restore" not in history.text  # no working copy to restore into

    compare = gateshead_client.get(
        reverse("admin:tenders_tender_compare", args=[tender.pk]),
        {"from": rows[1][0].pk, "to": rows[0][0].pk},
    )
    assert "[removed: </span>west and " in compare.text


def test_another_councils_tender_history_and_differences_are_not_found(
    gateshead_client, darlington
):
    theirs = TenderFactory(council=darlington)
    for view in ("history", "compare"):
        response = gateshead_client.get(
            reverse(f"admin:tenders_tender_{view}", args=[theirs.pk]),
            {"from": 1, "to": 1},
        )
        assert response.status_code == 404
