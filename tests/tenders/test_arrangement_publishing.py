"""Contracting arrangements use the same publishing as MPS sections: a working
copy beside the live page, with its categories, history and preview."""

import pytest
from django.urls import reverse

from councils.publishing import versions_of
from tenders.models import Arrangement
from tests.factories import ArrangementFactory, TypeOfCareFactory

pytestmark = pytest.mark.django_db


def change(client, arrangement, **fields):
    arrangement.refresh_from_db()
    data = {
        "council": arrangement.council_id,
        "name": arrangement.name,
        "kind": arrangement.kind,
        "description": arrangement.description,
        "joining": arrangement.joining,
        "lock_version": arrangement.lock_version,
        **fields,
    }
    return client.post(
        reverse("admin:tenders_arrangement_change", args=[arrangement.pk]), data
    )


def test_editing_a_live_arrangement_changes_only_its_working_copy(
    gateshead_client, gateshead
):
    home_care = TypeOfCareFactory(name="Home care", slug="home-care")
    arrangement = ArrangementFactory(council=gateshead, name="Home care framework")
    reablement = TypeOfCareFactory(name="Reablement", slug="reablement")

    response = change(
        gateshead_client,
        arrangement,
        name="Home and reablement framework",
        types_of_care=[home_care.pk, reablement.pk],
    )

    assert response.status_code == 302
    page = gateshead_client.get(arrangement.get_absolute_url()).text
    assert "Home care framework" in page
    assert "Home and reablement framework" not in page
    preview = gateshead_client.get(arrangement.get_preview_url()).text
    assert "Home and reablement framework" in preview
    assert "Reablement" in preview
    # One version holds the categories chosen in the same save.
    newest = versions_of(arrangement).first()
    assert sorted(newest.field_dict["types_of_care"]) == sorted(
        [home_care.pk, reablement.pk]
    )


def test_publishing_an_arrangement_copies_its_categories_to_the_live_page(
    gateshead_client, gateshead
):
    arrangement = ArrangementFactory(council=gateshead, name="Spot contract")
    category = TypeOfCareFactory(name="Extra care", slug="extra-care")
    change(gateshead_client, arrangement, types_of_care=[category.pk])

    gateshead_client.post(
        reverse("admin:tenders_arrangement_publish", args=[arrangement.pk]),
        {"action": "publish", "change_type": "major", "note": "Now covers extra care"},
    )

    live = Arrangement.live.get(live_of=arrangement)
    assert list(live.types_of_care.all()) == [category]
    listed = gateshead_client.get(
        reverse("tenders:arrangement-list"), {"category": "extra-care"}
    ).text
    assert "Spot contract" in listed
    assert (
        "Now covers extra care"
        in gateshead_client.get(reverse("councils:change-list")).text
    )


def test_another_councils_arrangement_preview_and_history_are_not_found(
    gateshead_client, darlington
):
    theirs = ArrangementFactory(council=darlington)
    assert gateshead_client.get(theirs.get_preview_url()).status_code == 404
    assert (
        gateshead_client.get(
            reverse("admin:tenders_arrangement_history", args=[theirs.pk])
        ).status_code
        == 404
    )


def test_arrangement_list_and_detail_show_one_row_per_arrangement(client, gateshead):
    arrangement = ArrangementFactory(council=gateshead, name="Carers' panel")
    response = client.get(reverse("tenders:arrangement-list"))
    assert response.text.count("Carers&#x27; panel") == 1
    assert client.get(arrangement.get_absolute_url()).status_code == 200
