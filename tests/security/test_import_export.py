"""Attacks on the tender table import and export as a Gateshead commissioner."""

import csv
import io

import pytest
from django.core import signing
from django.urls import reverse

from tenders.imports.admin import TOKEN_SALT
from tenders.models import ImportRecord, Tender
from tests.factories import ImportRecordFactory, TenderFactory
from tests.tenders.conftest import CONFIRM_URL, confirm, table, upload

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:tenders_tender_export")
CHANGELIST_URL = reverse("admin:tenders_tender_changelist")


def exported_references(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[0] for row in rows[1:]]


def test_export_with_a_forged_selected_id_is_refused(
    gateshead_client, gateshead, darlington
):
    own = TenderFactory(council=gateshead, reference="GH-1")
    other = TenderFactory(council=darlington, reference="DL-1")

    response = gateshead_client.post(
        EXPORT_URL,
        {"format": "0", "resource": "0", "export_items": [own.pk, other.pk]},
    )

    assert "attachment" not in response.get("Content-Disposition", "")
    assert "DL-1" not in response.content.decode("utf-8-sig")


def test_export_of_selected_own_rows_still_works(gateshead_client, gateshead):
    own = TenderFactory(council=gateshead, reference="GH-1")
    TenderFactory(council=gateshead, reference="GH-2")

    response = gateshead_client.post(
        EXPORT_URL, {"format": "0", "resource": "0", "export_items": [own.pk]}
    )

    assert response.status_code == 200
    assert exported_references(response) == ["GH-1"]


def test_export_filtered_by_another_councils_id_is_empty(
    gateshead_client, gateshead, darlington
):
    TenderFactory(council=darlington, reference="DL-1")

    response = gateshead_client.post(
        f"{EXPORT_URL}?council__id__exact={darlington.pk}",
        {"format": "0", "resource": "0"},
    )

    assert response.status_code == 200
    assert exported_references(response) == []


def test_forged_confirm_token_for_another_council_is_refused(
    gateshead_client, gateshead_commissioner, darlington
):
    token = signing.dumps(
        {
            "file": "x",
            "name": "t.csv",
            "council": darlington.pk,
            "user": gateshead_commissioner.pk,
            "sha256": "0" * 64,
        },
        salt=TOKEN_SALT,
    )

    response = gateshead_client.post(CONFIRM_URL, {"token": token})

    assert response.status_code == 403
    assert not Tender.objects.exists()


def test_confirm_after_losing_the_council_is_refused(
    gateshead_client, gateshead_commissioner, gateshead, darlington
):
    rows = [["Reference", "Title"], ["GH-1", "Home care"]]
    preview = upload(gateshead_client, gateshead, "t.csv", table(rows))
    assert preview.status_code == 200
    gateshead_commissioner.councils.set([darlington])

    response = confirm(gateshead_client, preview)

    assert response.status_code == 403
    assert not Tender.objects.exists()


def test_rows_naming_another_council_refuse_the_whole_file(
    gateshead_client, gateshead, darlington
):
    rows = [
        ["Reference", "Title", "Council"],
        ["GH-1", "Home care", gateshead.name],
        ["DL-1", "Their care", darlington.name],
    ]

    response = upload(gateshead_client, gateshead, "t.csv", table(rows))

    assert response.status_code == 400
    assert response.context["confirm_form"] is None
    assert not Tender.objects.exists()


def test_import_cannot_update_another_councils_tender_by_reference(
    gateshead_client, gateshead, darlington
):
    theirs = TenderFactory(council=darlington, reference="SAME-1", title="Theirs")
    rows = [["Reference", "Title"], ["SAME-1", "Overwritten"]]

    preview = upload(gateshead_client, gateshead, "t.csv", table(rows))
    confirm(gateshead_client, preview)

    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
    assert theirs.council == darlington
    assert Tender.objects.get(council=gateshead).title == "Overwritten"


def test_another_councils_import_history_is_not_listed(
    gateshead_client, gateshead, darlington
):
    ImportRecordFactory(council=darlington, file_name="darlington-secret.csv")
    ImportRecordFactory(council=gateshead, file_name="ours.csv")

    response = gateshead_client.get(reverse("admin:tenders_importrecord_changelist"))

    assert "ours.csv" in response.text
    assert "darlington-secret.csv" not in response.text
    assert ImportRecord.objects.count() == 2
