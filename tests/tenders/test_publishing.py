"""Tenders are edited as a working copy beside the live page: review, schedules
honoured on every page, feed and download, history with restore, preview, and
archive or withdrawal instead of deletion."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils import clock
from councils.models import EditorialState
from councils.publishing import publish, versions_of, working_copy_save
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
        published=clock.now() + datetime.timedelta(days=7),
    )


def come_due(tender):
    """Move a tender's scheduled live copy to a minute ago, as time passing would."""
    past = clock.now() - datetime.timedelta(minutes=1)
    Tender._base_manager.filter(live_of=tender).update(
        publish_at=past, published_at=past, updated_at=past
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
        assert TITLE not in client.get(url).getvalue().decode(), url
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_scheduled_tender_appears_everywhere_once_its_time_has_come(
    client, gateshead, scheduled
):
    come_due(scheduled)
    for url in everywhere(gateshead):
        assert TITLE in client.get(url).getvalue().decode(), url


def test_a_scheduled_tender_appears_when_the_clock_passes_its_time(
    client, gateshead, scheduled
):
    with time_machine.travel(clock.now() + datetime.timedelta(days=8)):
        for url in everywhere(gateshead):
            assert TITLE in client.get(url).getvalue().decode(), url


def test_feed_never_says_a_tender_was_updated_before_it_was_published(
    client, gateshead, scheduled
):
    come_due(scheduled)
    feed = client.get(reverse("tenders:tender-feed")).text
    published = feed.split("<published>")[1].split("</published>")[0]
    updated = feed.split("<entry>")[1].split("<updated>")[1].split("</updated>")[0]
    assert updated >= published


def _admin_data(tender, **changes):
    tender.refresh_from_db()
    return {
        "council": tender.council_id,
        "reference": tender.reference,
        "title": tender.title,
        "status": tender.status,
        "procurement_activity": tender.procurement_activity,
        "commencement": tender.commencement,
        "lock_version": tender.lock_version,
        **changes,
    }


def edit(client, tender, **changes):
    return client.post(
        reverse("admin:tenders_tender_change", args=[tender.pk]),
        _admin_data(tender, **changes),
    )


def publish_in_admin(client, tender, **data):
    return client.post(
        reverse("admin:tenders_tender_publish", args=[tender.pk]),
        {"action": "publish", "change_type": "major", **data},
    )


def test_scheduling_a_tender_in_the_past_is_refused(gateshead_client, gateshead):
    tender = TenderFactory(council=gateshead, title="Old title")
    edit(gateshead_client, tender, title="New title")

    response = publish_in_admin(
        gateshead_client, tender, note="Renamed", publish_at="2020-01-01T09:00"
    )

    assert response.status_code == 200
    assert "That time has passed" in response.text
    assert Tender.live.get(live_of=tender).title == "Old title"


def test_editing_a_published_tender_keeps_the_live_page_until_published(
    client, gateshead_client, gateshead, home_care
):
    tender = TenderFactory(council=gateshead, title="Home care in the west")

    response = edit(
        gateshead_client,
        tender,
        title="Home care across the borough",
        types_of_care=[home_care.pk],
    )

    assert response.status_code == 302
    for url in [tender.get_absolute_url(), reverse("tenders:tender-list")]:
        page = client.get(url).text
        assert "Home care in the west" in page
        assert "Home care across the borough" not in page
    preview = gateshead_client.get(tender.get_preview_url()).text
    assert "Home care across the borough" in preview
    assert "Domiciliary care" in preview

    publish_in_admin(gateshead_client, tender, note="Now covers the whole borough")

    page = client.get(tender.get_absolute_url()).text
    assert "Home care across the borough" in page
    assert "Domiciliary care" in page
    listed = client.get(
        reverse("tenders:tender-list"), {"type_of_care": "domiciliary-care"}
    ).text
    assert listed.count("Home care across the borough") == 1
    log = client.get(
        reverse("councils:change-list"), {"type_of_care": "domiciliary-care"}
    ).text
    assert "Now covers the whole borough" in log


def test_a_scheduled_change_to_a_tender_goes_live_at_its_time(
    client, gateshead_client, gateshead
):
    tender = TenderFactory(council=gateshead, title="Day services")
    edit(gateshead_client, tender, title="Day opportunities")
    next_week = timezone.localtime() + datetime.timedelta(days=7)

    publish_in_admin(
        gateshead_client,
        tender,
        note="Renamed",
        publish_at=next_week.strftime("%Y-%m-%dT%H:%M"),
    )

    assert "Day services" in client.get(tender.get_absolute_url()).text
    with time_machine.travel(next_week + datetime.timedelta(minutes=1)):
        page = client.get(tender.get_absolute_url()).text
    assert "Day opportunities" in page
    assert "Day services" not in page


def test_where_review_is_required_a_tender_is_submitted_then_approved(
    gateshead, gateshead_client
):
    client = Client()
    gateshead.requires_review = True
    gateshead.save()
    tender = TenderFactory(council=gateshead, title="Respite care")
    edit(gateshead_client, tender, title="Short breaks")

    refused = publish_in_admin(gateshead_client, tender, note="Renamed")
    assert "submit them for review first" in refused.text
    gateshead_client.post(
        reverse("admin:tenders_tender_publish", args=[tender.pk]),
        {"action": "submit"},
    )
    own = publish_in_admin(gateshead_client, tender, note="Renamed")
    assert "Only an approver" in own.text
    assert "Respite care" in Client().get(tender.get_absolute_url()).text

    approver = make_commissioner(gateshead, username="approver")
    gateshead.approvers.add(approver)
    client.force_login(approver)
    returned = client.post(
        reverse("admin:tenders_tender_publish", args=[tender.pk]),
        {"action": "return", "comment": "Say which short breaks"},
    )
    assert returned.status_code == 302
    tender.refresh_from_db()
    assert tender.editorial_state == EditorialState.DRAFT
    assert tender.review_comment == "Say which short breaks"

    gateshead_client.post(
        reverse("admin:tenders_tender_publish", args=[tender.pk]),
        {"action": "submit"},
    )
    publish_in_admin(client, tender, note="Renamed")
    assert "Short breaks" in Client().get(tender.get_absolute_url()).text


def test_restoring_an_earlier_tender_version_makes_it_the_working_copy(
    client, gateshead_client, gateshead
):
    tender = TenderFactory(council=gateshead, title="Supported living")
    edit(gateshead_client, tender, title="Supported living for young adults")
    first = versions_of(tender).last()

    gateshead_client.post(
        reverse("admin:tenders_tender_restore", args=[tender.pk, first.pk])
    )

    tender.refresh_from_db()
    assert tender.title == "Supported living"
    assert "Supported living" in client.get(tender.get_absolute_url()).text


def test_archiving_a_tender_takes_it_off_every_page(
    client, gateshead_client, gateshead
):
    TenderFactory(council=gateshead, title="Already public contract")
    tender = TenderFactory(council=gateshead, title=TITLE)

    gateshead_client.post(reverse("admin:tenders_tender_archive", args=[tender.pk]))

    for url in everywhere(gateshead):
        assert TITLE not in client.get(url).getvalue().decode(), url
    assert client.get(tender.get_absolute_url()).status_code == 404
    assert Tender.objects.filter(pk=tender.pk).exists()


def test_another_councils_tender_cannot_be_published_restored_or_archived(
    gateshead_client, darlington
):
    theirs = TenderFactory(council=darlington, title="Their tender")
    version = versions_of(theirs).first()
    for url in [
        reverse("admin:tenders_tender_publish", args=[theirs.pk]),
        reverse("admin:tenders_tender_archive", args=[theirs.pk]),
        reverse("admin:tenders_tender_restore", args=[theirs.pk, version.pk]),
    ]:
        assert gateshead_client.post(url, {"action": "publish"}).status_code == 404
    assert Tender.live.get(live_of=theirs).title == "Their tender"


def test_public_tender_pages_show_one_row_per_tender(client, gateshead, uncached):
    tender = TenderFactory(council=gateshead, title="Carers' support")
    tender.title = "Carers' support service"
    working_copy_save(obj=tender, user=None)
    publish(obj=tender, user=None, major=True, note="Renamed")

    for url in everywhere(gateshead):
        assert client.get(url).getvalue().decode().count("Carers") <= 1 or url.endswith(
            "json"
        ), url
    assert client.get(reverse("tenders:tender-list")).context["paginator"].count == 1


def test_commissioners_withdraw_rather_than_delete_a_public_tender(
    gateshead_client, gateshead
):
    tender = TenderFactory(council=gateshead)
    response = gateshead_client.post(
        reverse("admin:tenders_tender_delete", args=[tender.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Tender.objects.filter(pk=tender.pk).exists()


def test_administrators_delete_only_tenders_never_published(
    client, portal_admin, gateshead
):
    public = TenderFactory(council=gateshead)
    draft = TenderFactory(council=gateshead, published=False)
    login_with_second_factor(client, portal_admin)

    client.post(
        reverse("admin:tenders_tender_delete", args=[public.pk]), {"post": "yes"}
    )
    client.post(
        reverse("admin:tenders_tender_delete", args=[draft.pk]), {"post": "yes"}
    )

    assert Tender.objects.filter(pk=public.pk).exists()
    assert Tender.live.filter(live_of=public).exists()
    assert not Tender.objects.filter(pk=draft.pk).exists()


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
    for title in ("Home care in the west and north", "Home care in the north"):
        edit(gateshead_client, tender, title=title)
    history = gateshead_client.get(
        reverse("admin:tenders_tender_history", args=[tender.pk])
    )
    rows = history.context["rows"]
    # Published by the factory, then two saves.
    assert len(rows) == 3
    assert "Restore" in history.text

    compare = gateshead_client.get(
        reverse("admin:tenders_tender_compare", args=[tender.pk]),
        {"from": rows[1][0].pk, "to": rows[0][0].pk},
    )
    assert "[removed: </span>west and " in compare.text
    # Field names keep their capitals ("CPV codes", "OCDS ocid").
    assert "CPV codes" in compare.text
    assert "OCDS ocid" in compare.text
    assert "Cpv codes" not in compare.text


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


def test_another_councils_tender_version_cannot_be_restored_into_our_own(
    gateshead_client, gateshead, darlington
):
    ours = TenderFactory(council=gateshead, title="Our tender")
    theirs = TenderFactory(council=darlington, title="Their secret tender")
    their_version = versions_of(theirs).first()

    response = gateshead_client.post(
        reverse("admin:tenders_tender_restore", args=[ours.pk, their_version.pk])
    )

    assert response.status_code == 404
    ours.refresh_from_db()
    assert ours.title == "Our tender"


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url_of",
    [
        lambda tender: tender.get_absolute_url(),
        lambda tender: reverse("tenders:tender-list"),
        lambda tender: reverse("tenders:tender-feed"),
        lambda tender: reverse("tenders:tender-list-ocds"),
        lambda tender: tender.council.get_absolute_url(),
        lambda tender: reverse("home"),
    ],
    ids=["detail", "finder", "feed", "ocds", "council", "home"],
)
def test_tender_pages_queries_do_not_grow_with_versions(client, gateshead, url_of):
    tender = TenderFactory(council=gateshead, title="Version 0")
    url = url_of(tender)
    one = _queries(client, url)
    for number in range(1, 8):
        tender.title = f"Version {number}"
        working_copy_save(obj=tender, user=None)
        publish(obj=tender, user=None, major=True, note=f"Change {number}")

    assert _queries(client, url) == one
    assert "Version 7" in client.get(url).getvalue().decode()
