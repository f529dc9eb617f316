"""The admin's import and export: who may use them, and for which council."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse

from tenders.models import ImportRecord, Tender
from tests.factories import TenderFactory, UserFactory, make_commissioner

from .conftest import CONFIRM_URL, IMPORT_URL, confirm, import_file, table, upload

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:tenders_tender_export")
CHANGELIST_URL = reverse("admin:tenders_tender_changelist")
ROWS = [["Reference", "Title"], ["GH-1", "Home care"]]


def test_import_and_export_need_their_own_permission_codes():
    assert settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE == "import"
    assert settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE == "export"


def test_changelist_offers_import_and_export_to_a_commissioner(gateshead_client):
    html = gateshead_client.get(CHANGELIST_URL).content.decode()

    assert IMPORT_URL in html
    assert EXPORT_URL in html


def test_import_page_lists_the_heading_aliases(gateshead_client):
    response = gateshead_client.get(IMPORT_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Contract Description/Title" in html
    assert "New contract commencement" in html


@pytest.mark.parametrize("url", [IMPORT_URL, EXPORT_URL])
def test_staff_user_without_the_permissions_cannot_import_or_export(client, url):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(url).status_code == 403


def test_staff_user_with_only_change_permission_cannot_import(client, gateshead):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_tender", "change_tender", "add_tender"]
        )
    )
    gateshead.commissioners.add(user)
    client.force_login(user)

    response = upload(client, gateshead, "t.csv", table(ROWS))

    assert response.status_code == 403
    assert not Tender.objects.exists()


def test_non_staff_user_is_sent_to_log_in(client, gateshead):
    client.force_login(UserFactory())

    response = upload(client, gateshead, "t.csv", table(ROWS))

    assert response.status_code == 302
    assert not Tender.objects.exists()


def test_commissioner_can_only_pick_their_own_councils(
    gateshead_client, gateshead, darlington
):
    response = gateshead_client.get(IMPORT_URL)

    choices = response.context["form"].fields["council"].queryset
    assert list(choices) == [gateshead]


def test_commissioner_cannot_import_into_another_council(gateshead_client, darlington):
    response = upload(gateshead_client, darlington, "t.csv", table(ROWS))

    assert response.status_code == 400
    assert "council" in response.context["form"].errors
    assert not Tender.objects.exists()


def test_preview_writes_nothing_until_confirmed(gateshead_client, gateshead):
    response = upload(gateshead_client, gateshead, "t.csv", table(ROWS))

    assert response.status_code == 200
    assert not Tender.objects.exists()
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.PREVIEWED

    confirmed = confirm(gateshead_client, response)

    assert confirmed.status_code == 302
    assert Tender.objects.get().council == gateshead


def test_a_preview_cannot_be_confirmed_twice(gateshead_client, gateshead):
    response = upload(gateshead_client, gateshead, "t.csv", table(ROWS))
    confirm(gateshead_client, response)

    again = confirm(gateshead_client, response)

    assert again.status_code == 302
    assert again.url == IMPORT_URL
    assert Tender.objects.count() == 1


def test_a_tampered_confirm_token_is_refused(gateshead_client, gateshead):
    response = upload(gateshead_client, gateshead, "t.csv", table(ROWS))
    token = response.context["confirm_form"].initial["token"]

    tampered = gateshead_client.post(CONFIRM_URL, {"token": token[:-2] + "xx"})

    assert tampered.status_code == 302
    assert not Tender.objects.exists()


def test_another_commissioner_cannot_confirm_someone_elses_preview(
    client, gateshead_client, gateshead
):
    response = upload(gateshead_client, gateshead, "t.csv", table(ROWS))
    token = response.context["confirm_form"].initial["token"]
    client.force_login(make_commissioner(gateshead, username="colleague"))

    assert client.post(CONFIRM_URL, {"token": token}).status_code == 403
    assert not Tender.objects.exists()


def test_confirm_rechecks_the_table_against_current_tenders(
    gateshead_client, gateshead
):
    rows = [["Title"], ["Home care"]]
    response = upload(gateshead_client, gateshead, "t.csv", table(rows))
    # Between preview and confirm, a colleague adds a second "Home care".
    TenderFactory(council=gateshead, title="Home care", reference="A")
    TenderFactory(council=gateshead, title="Home care", reference="B")

    confirmed = confirm(gateshead_client, response)

    assert confirmed.status_code == 400
    assert "More than one" in confirmed.content.decode()
    assert Tender.objects.count() == 2


def test_confirm_is_post_only(gateshead_client):
    assert gateshead_client.get(CONFIRM_URL).status_code == 405


def test_each_import_is_recorded_and_listed_in_the_admin(
    gateshead_client, gateshead, gateshead_commissioner
):
    import_file(gateshead_client, gateshead, "pipeline.csv", table(ROWS))

    record = ImportRecord.objects.get(outcome=ImportRecord.Outcome.IMPORTED)
    assert (record.user, record.council, record.file_name) == (
        gateshead_commissioner,
        gateshead,
        "pipeline.csv",
    )
    assert (record.rows, record.new, record.outcome) == (1, 1, "imported")
    response = gateshead_client.get(reverse("admin:tenders_importrecord_changelist"))
    assert "pipeline.csv" in response.content.decode()


def test_import_records_are_read_only(gateshead_client, gateshead):
    import_file(gateshead_client, gateshead, "pipeline.csv", table(ROWS))
    record = ImportRecord.objects.get(outcome=ImportRecord.Outcome.IMPORTED)

    change = gateshead_client.get(
        reverse("admin:tenders_importrecord_change", args=[record.pk])
    )
    add = gateshead_client.get(reverse("admin:tenders_importrecord_add"))

    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    assert add.status_code == 403


def test_export_has_the_import_headings_and_only_own_councils_rows(
    gateshead_client, gateshead, darlington
):
    TenderFactory(council=gateshead, reference="GH-1", title="Home care")
    TenderFactory(council=darlington, reference="DL-1", title="Their tender")

    response = gateshead_client.post(EXPORT_URL, {"format": "0", "resource": "0"})

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Contract description or title", "Description"]
    assert [row[0] for row in rows[1:]] == ["GH-1"]


def test_exported_table_imports_again_unchanged(gateshead_client, gateshead):
    TenderFactory(
        council=gateshead,
        reference="GH-1",
        title="Home care",
        value_min=1000,
        value_max=2000,
        status=Tender.Status.OPEN,
        contact_email="team@example.org",
    )
    exported = gateshead_client.post(EXPORT_URL, {"format": "0", "resource": "0"})

    response = upload(gateshead_client, gateshead, "export.csv", exported.content)

    report = response.context["report"]
    assert not report.has_errors, [str(error) for error in report.errors]
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)


def test_no_heading_names_two_columns():
    from tenders.imports.columns import COLUMNS, normalise_heading

    names = [
        normalise_heading(name)
        for column in COLUMNS
        for name in {
            normalise_heading(n)
            for n in (column.heading, column.field, *column.aliases)
        }
    ]
    assert len(names) == len(set(names))


def test_export_makes_formula_like_text_inert_and_it_imports_back_unchanged(
    gateshead_client, gateshead
):
    TenderFactory(
        council=gateshead,
        reference="GH-9",
        title='=HYPERLINK("https://evil.example","Click")',
        procurement_activity="Spring 2026",
    )
    exported = gateshead_client.post(EXPORT_URL, {"format": "0", "resource": "0"})
    assert "'=HYPERLINK" in exported.content.decode("utf-8-sig")

    response = upload(gateshead_client, gateshead, "export.csv", exported.content)

    report = response.context["report"]
    assert not report.has_errors, [str(error) for error in report.errors]
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
