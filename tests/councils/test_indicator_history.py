"""Indicator figures keep a history (who changed which figure when, restorable)
and their changes are listed in What changed, from the admin and from imports."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from councils.models import IndicatorValue, Publication
from councils.publishing import versions_of
from tests.factories import IndicatorValueFactory, TypeOfCareFactory

from .conftest import figure, import_file, table

pytestmark = pytest.mark.django_db


def change_url(figure_row):
    return reverse("admin:councils_indicatorvalue_change", args=[figure_row.pk])


def save_value(client, figure_row, value):
    return client.post(
        change_url(figure_row),
        {
            "indicator": figure_row.indicator_id,
            "area_code": figure_row.area_code,
            "period": figure_row.period,
            "base_year": "",
            "value": value,
            "source_name": figure_row.source_name,
            "source_url": "",
            "as_at": "2024-02-01",
            "notes": "",
        },
    )


def test_a_figure_changed_in_the_admin_is_in_its_history_and_can_be_restored(
    durham_client, durham, admissions
):
    row = IndicatorValueFactory(indicator=admissions, council=durham, value="600.0")
    assert save_value(durham_client, row, "626.4").status_code == 302
    assert save_value(durham_client, row, "700.0").status_code == 302

    history = durham_client.get(
        reverse("admin:councils_indicatorvalue_history", args=[row.pk])
    )
    rows = history.context["rows"]
    assert len(rows) == 2
    assert rows[0][0].revision.user.username == "durham-staff"
    compare = durham_client.get(
        reverse("admin:councils_indicatorvalue_compare", args=[row.pk]),
        {"from": rows[1][0].pk, "to": rows[0][0].pk},
    )
    assert "[removed: </span>626" in compare.text
    assert "[added: </span>700" in compare.text

    durham_client.post(
        reverse("admin:councils_indicatorvalue_restore", args=[row.pk, rows[1][0].pk])
    )

    row.refresh_from_db()
    assert row.value == Decimal("626.4")
    assert len(versions_of(row)) == 3


def test_a_figure_changed_in_the_admin_is_listed_in_what_changed(
    durham_client, durham, admissions
):
    care_homes = TypeOfCareFactory(name="Care homes", slug="care-homes")
    admissions.types_of_care.add(care_homes)
    row = IndicatorValueFactory(indicator=admissions, council=durham, value="600.0")

    save_value(durham_client, row, "626.4")

    log = Client().get(reverse("councils:change-list"), {"type_of_care": "care-homes"})
    assert "Durham County Council: Permanent admissions" in log.text
    assert "Figure for 2024 changed: 626.4" in log.text
    change = Publication.objects.get()
    assert change.url == f"{admissions.get_absolute_url()}?council=durham"


def test_an_import_records_a_version_of_each_figure_and_one_change_per_indicator(
    durham_client, durham, admissions
):
    rows = [figure(period="2021/22"), figure(period="2022/23", value="640.2")]

    import_file(durham_client, "figures.csv", table(rows))

    figures = IndicatorValue.objects.filter(council=durham)
    assert figures.count() == 2
    for row in figures:
        version = versions_of(row).get()
        assert version.revision.comment == "Imported from figures.csv."
        assert version.revision.user.username == "durham-staff"
    change = Publication.objects.get()
    assert change.note == "2 figures added or updated from figures.csv."
    feed = Client().get(reverse("councils:change-feed")).text
    assert "2 figures added or updated from figures.csv." in feed


def test_another_councils_figure_history_and_restore_are_not_found(
    durham_client, darlington, admissions
):
    theirs = IndicatorValueFactory(indicator=admissions, council=darlington)
    history = reverse("admin:councils_indicatorvalue_history", args=[theirs.pk])
    assert durham_client.get(history).status_code == 404
    restore = reverse("admin:councils_indicatorvalue_restore", args=[theirs.pk, 1])
    assert durham_client.post(restore).status_code == 404
