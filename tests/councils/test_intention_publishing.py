"""Commissioning intentions use the same publishing as MPS sections: a working
copy beside what readers see, review, preview, history with restore, archive."""

import pytest
from django.test import Client
from django.urls import reverse

from councils.models import CommissioningIntention, EditorialState
from councils.publishing import versions_of
from tests.factories import CommissioningIntentionFactory, TypeOfCareFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_care(db):
    return TypeOfCareFactory(name="Home care", slug="home-care")


def market(type_of_care):
    return reverse("councils:market-detail", args=[type_of_care.slug])


def edit(client, intention, **fields):
    intention.refresh_from_db()
    data = {
        "council": intention.council_id,
        "type_of_care": intention.type_of_care_id,
        "direction": intention.direction,
        "status": intention.status,
        "summary": intention.summary,
        "position": intention.position,
        "lock_version": intention.lock_version,
        **fields,
    }
    return client.post(
        reverse("admin:councils_commissioningintention_change", args=[intention.pk]),
        data,
    )


def publish_in_admin(client, intention, **data):
    return client.post(
        reverse("admin:councils_commissioningintention_publish", args=[intention.pk]),
        {"action": "publish", "change_type": "major", **data},
    )


def test_editing_an_intention_keeps_what_readers_see_until_published(
    gateshead_client, gateshead, home_care
):
    intention = CommissioningIntentionFactory(
        council=gateshead,
        type_of_care=home_care,
        summary="More home care in rural areas",
    )
    reader = Client()

    assert (
        edit(
            gateshead_client, intention, summary="More home care everywhere"
        ).status_code
        == 302
    )

    page = reader.get(market(home_care)).text
    assert "More home care in rural areas" in page
    assert "More home care everywhere" not in page
    preview = gateshead_client.get(intention.get_preview_url())
    assert preview.status_code == 200
    assert "More home care everywhere" in preview.text
    assert preview["Cache-Control"] == "private, no-store"

    publish_in_admin(
        gateshead_client, intention, note="Home care intentions for 2026/27"
    )

    page = reader.get(market(home_care)).text
    assert "More home care everywhere" in page
    assert page.count("More home care everywhere") == 1
    log = reader.get(reverse("councils:change-list"), {"type_of_care": "home-care"})
    assert "Home care intentions for 2026/27" in log.text


def test_intention_downloads_show_only_what_is_published(
    gateshead_client, gateshead, home_care
):
    intention = CommissioningIntentionFactory(
        council=gateshead, type_of_care=home_care, summary="Grow extra care"
    )
    edit(gateshead_client, intention, summary="Grow extra care quickly")

    response = Client().get(reverse("councils:intention-list-csv"))
    csv = b"".join(response.streaming_content).decode()

    assert "Grow extra care" in csv
    assert "quickly" not in csv
    assert csv.count("Grow extra care") == 1


def test_where_review_is_required_an_intention_waits_for_an_approver(
    gateshead_client, gateshead, home_care
):
    gateshead.requires_review = True
    gateshead.save()
    intention = CommissioningIntentionFactory(council=gateshead, type_of_care=home_care)
    edit(gateshead_client, intention, summary="Fewer care home beds")

    refused = publish_in_admin(gateshead_client, intention, note="Changed")

    assert "submit them for review first" in refused.text
    intention.refresh_from_db()
    assert intention.editorial_state == EditorialState.DRAFT
    assert "Fewer care home beds" not in Client().get(market(home_care)).text


def test_restoring_an_intention_version_brings_back_its_words(
    gateshead_client, gateshead, home_care
):
    intention = CommissioningIntentionFactory(
        council=gateshead, type_of_care=home_care, summary="First words"
    )
    edit(gateshead_client, intention, summary="Second words")
    first = versions_of(intention).last()

    gateshead_client.post(
        reverse(
            "admin:councils_commissioningintention_restore",
            args=[intention.pk, first.pk],
        )
    )

    intention.refresh_from_db()
    assert intention.summary == "First words"


def test_archiving_an_intention_takes_it_off_the_market_page(
    gateshead_client, gateshead, home_care
):
    intention = CommissioningIntentionFactory(
        council=gateshead, type_of_care=home_care, summary="Remodel day services"
    )

    gateshead_client.post(
        reverse("admin:councils_commissioningintention_archive", args=[intention.pk])
    )

    assert "Remodel day services" not in Client().get(market(home_care)).text
    assert CommissioningIntention.objects.filter(pk=intention.pk).exists()


def test_another_councils_intention_preview_and_history_are_not_found(
    gateshead_client, darlington, home_care
):
    theirs = CommissioningIntentionFactory(council=darlington, type_of_care=home_care)

    assert gateshead_client.get(theirs.get_preview_url()).status_code == 404
    assert Client().get(theirs.get_preview_url()).status_code == 404
    history = reverse("admin:councils_commissioningintention_history", args=[theirs.pk])
    assert gateshead_client.get(history).status_code == 404
