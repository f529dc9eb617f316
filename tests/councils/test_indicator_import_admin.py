"""The admin's screen for loading indicator figures: preview, confirm, who may."""

import os
import tempfile
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from councils.models import IndicatorImport, IndicatorValue
from tests.factories import IndicatorValueFactory, UserFactory

from .conftest import (
    CONFIRM_URL,
    IMPORT_URL,
    confirm,
    errors_of,
    figure,
    import_file,
    table,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db

ADMISSION_NAME = "Permanent admissions to care homes, aged 65 and over"
CHANGELIST_URL = reverse("admin:councils_indicatorvalue_changelist")
RECORDS_URL = reverse("admin:councils_indicatorimport_changelist")


def test_changelist_links_to_the_import_for_a_commissioner(durham_client):
    html = durham_client.get(CHANGELIST_URL).content.decode()

    assert f'href="{IMPORT_URL}"' in html


def test_import_page_lists_the_headings_and_who_may_load_what(durham_client):
    response = durham_client.get(IMPORT_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "area_code" in html and "GSS code" in html
    assert "region and England figures are loaded by portal administrators" in html


def test_staff_user_without_the_import_permission_gets_403(client, durham):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_indicatorvalue", "add_indicatorvalue"]
        )
    )
    durham.commissioners.add(user)
    client.force_login(user)

    assert client.get(IMPORT_URL).status_code == 403
    assert f'href="{IMPORT_URL}"' not in client.get(CHANGELIST_URL).content.decode()
    assert client.post(CONFIRM_URL, {"token": "x"}).status_code == 403


def test_preview_counts_new_figures_and_writes_nothing(durham_client, admissions):
    rows = [figure(), figure(period="2020/21", value="598.0")]

    response = upload(durham_client, "figures.csv", table(rows))

    report = response.context["report"]
    assert response.status_code == 200
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)
    assert "2 rows: 2 new, 0 updated and 0 unchanged" in response.content.decode()
    assert not IndicatorValue.objects.exists()
    assert IndicatorImport.objects.get().outcome == IndicatorImport.Outcome.PREVIEWED


def test_confirm_writes_the_figures_with_their_source(
    durham_client, durham, admissions
):
    import_file(durham_client, "figures.csv", table([figure()]))

    stored = IndicatorValue.objects.get()
    assert (stored.indicator, stored.council, stored.area_code) == (
        admissions,
        durham,
        "E06000047",
    )
    assert (stored.period, stored.period_kind) == ("2021/22", "financial_year")
    assert (stored.period_start, stored.period_end) == (
        date(2021, 4, 1),
        date(2022, 3, 31),
    )
    assert stored.value == Decimal("626.4")
    assert stored.source_url == "https://www.durham.gov.uk/media/mps"
    assert stored.as_at == date(2023, 9, 1)
    outcomes = IndicatorImport.objects.values_list("outcome", flat=True)
    assert sorted(outcomes) == ["imported", "previewed"]


def test_existing_figures_are_updated_and_unchanged_ones_counted(
    durham_client, durham, admissions
):
    IndicatorValueFactory(
        indicator=admissions, council=durham, period="2021/22", value="600"
    )
    kept = IndicatorValueFactory(
        indicator=admissions,
        council=durham,
        period="2020/21",
        value="598",
        source_name="Durham County Council, Integrated Market Position Statement "
        "2023/25",
        source_url="https://www.durham.gov.uk/media/mps",
        as_at=date(2023, 9, 1),
    )
    rows = [
        figure(period="2021/22", value="626.4"),
        figure(period="2020/21", value="598.0"),
        figure(period="2019/20", value="640.1"),
    ]

    report = import_file(durham_client, "figures.csv", table(rows))

    assert (report.new, report.updated, report.unchanged) == (1, 1, 1)
    assert report.preview[0].changes[0] == "value: 600 → 626.4"
    assert IndicatorValue.objects.get(period="2021/22").value == Decimal("626.4")
    assert IndicatorValue.objects.get(pk=kept.pk).updated_at == kept.updated_at
    assert IndicatorValue.objects.count() == 3


def test_excel_workbook_with_number_and_date_cells(durham_client, admissions):
    rows = [
        [
            ADMISSION_NAME,
            "E06000047",
            "2021/22",
            626.4,
            "Durham MPS",
            "",
            date(2023, 9, 1),
        ],
        [ADMISSION_NAME, "E06000047", 2022, 612, "Durham MPS", "", date(2023, 9, 1)],
    ]

    report = import_file(durham_client, "figures.xlsx", xlsx(rows))

    assert (report.file_format, report.new) == ("XLSX", 2)
    assert IndicatorValue.objects.get(period="2022").value == Decimal("612")
    assert IndicatorValue.objects.get(period="2021/22").as_at == date(2023, 9, 1)


def test_excel_workbook_with_a_bad_cell_names_its_row_and_column(
    durham_client, admissions
):
    rows = [
        [ADMISSION_NAME, "E06000047", "2021/22", 626.4, "Durham MPS", "", "2023-09-01"],
        [ADMISSION_NAME, "E06000047", "2022/23", "n/a", "Durham MPS", "", "2023-09-01"],
    ]

    response = upload(durham_client, "figures.xlsx", xlsx(rows))

    assert response.status_code == 400
    assert [(e.row, e.column, e.value) for e in response.context["report"].errors] == [
        (3, "value", "n/a")
    ]
    assert not IndicatorValue.objects.exists()


def test_commissioner_cannot_load_another_councils_or_region_or_england_figures(
    durham_client, darlington, admissions
):
    rows = [
        figure(),
        figure(area="E06000005"),
        figure(area="E12000001", value="738.6"),
        figure(area="E92000001", value="538.5"),
    ]

    response = upload(durham_client, "figures.csv", table(rows))

    assert response.status_code == 400
    assert errors_of(response.context["report"]) == [
        (
            3,
            "area_code",
            "E06000005 is Darlington Borough Council; you may load figures only "
            "for Durham County Council.",
        ),
        (
            4,
            "area_code",
            "North East figures are loaded by portal administrators; you may load "
            "figures for your own councils only.",
        ),
        (
            5,
            "area_code",
            "England figures are loaded by portal administrators; you may load "
            "figures for your own councils only.",
        ),
    ]
    assert response.context["confirm_form"] is None
    assert not IndicatorValue.objects.exists()


def test_portal_administrator_loads_council_region_and_england_figures(
    admin_client, durham, darlington, admissions
):
    rows = [
        figure(),
        figure(area="E06000005", value="701.2"),
        figure(area="E12000001", value="738.6"),
        figure(area="E92000001", value="538.5"),
    ]

    report = import_file(admin_client, "figures.csv", table(rows))

    assert report.new == 4
    england = IndicatorValue.objects.get(area_code="E92000001")
    assert (england.council, england.region, england.value) == (
        None,
        None,
        Decimal("538.5"),
    )
    assert IndicatorValue.objects.get(area_code="E12000001").region.name == (
        "North East"
    )
    record = IndicatorImport.objects.get(outcome="imported")
    assert set(record.councils.all()) == {durham, darlington}


def test_a_preview_can_be_confirmed_only_by_the_person_who_made_it(
    client, durham_client, durham, admissions
):
    from tests.factories import make_commissioner

    response = upload(durham_client, "figures.csv", table([figure()]))
    token = response.context["confirm_form"].initial["token"]
    client.force_login(make_commissioner(durham, username="other-durham-staff"))

    assert client.post(CONFIRM_URL, {"token": token}).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_a_tampered_token_is_refused_with_a_message(durham_client, admissions):
    response = durham_client.post(CONFIRM_URL, {"token": "forged"}, follow=True)

    assert "That preview has expired or is not yours" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_a_preview_cannot_be_confirmed_twice(durham_client, admissions):
    response = upload(durham_client, "figures.csv", table([figure()]))
    assert confirm(durham_client, response).status_code == 302

    again = durham_client.post(
        CONFIRM_URL,
        {"token": response.context["confirm_form"].initial["token"]},
        follow=True,
    )

    assert "already used" in again.content.decode()
    assert IndicatorValue.objects.count() == 1


def test_a_database_error_is_a_refusal_not_a_500(durham_client, admissions):
    from django.db import connection

    response = upload(durham_client, "figures.csv", table([figure()]))
    stored_file = os.path.join(
        tempfile.gettempdir(),
        _token_file(response.context["confirm_form"].initial["token"]),
    )
    with connection.cursor() as cursor:
        _refuse_inserts(cursor, connection.vendor)

    refused = confirm(durham_client, response)

    assert refused.status_code == 400
    report = refused.context["report"]
    assert report.errors[0].message.startswith(
        "The database refused the import, so nothing was written"
    )
    assert "figures refused for this test" in report.errors[0].message
    assert not IndicatorValue.objects.exists()
    assert IndicatorImport.objects.filter(outcome="refused").count() == 1
    assert not os.path.exists(stored_file)


def _token_file(token):
    from django.core import signing

    from councils.admin_import import TOKEN_SALT

    return signing.loads(token, salt=TOKEN_SALT)["file"]


def _refuse_inserts(cursor, vendor):
    if vendor == "postgresql":
        cursor.execute(
            "CREATE FUNCTION refuse_figures() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'figures refused for this test'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_figures BEFORE INSERT ON councils_indicatorvalue "
            "FOR EACH ROW EXECUTE FUNCTION refuse_figures()"
        )
    else:
        cursor.execute(
            "CREATE TRIGGER refuse_figures BEFORE INSERT ON councils_indicatorvalue "
            "BEGIN SELECT RAISE(ABORT, 'figures refused for this test'); END"
        )


def test_commissioner_sees_only_imports_of_their_councils(
    durham_client, durham, darlington
):
    from tests.factories import IndicatorImportFactory

    own = IndicatorImportFactory(councils=[durham], file_name="ours.csv")
    both = IndicatorImportFactory(councils=[durham, darlington], file_name="both.csv")
    IndicatorImportFactory(councils=[darlington], file_name="theirs.csv")
    IndicatorImportFactory(councils=[], file_name="england.csv")

    response = durham_client.get(RECORDS_URL)

    shown = list(response.context["cl"].queryset)
    assert sorted(shown, key=lambda r: r.pk) == [own, both]


def test_a_refused_file_naming_none_of_their_councils_is_still_theirs_to_see(
    durham_client, durham, admissions
):
    upload(durham_client, "figures.csv", table([figure(area="E92000001")]))

    record = IndicatorImport.objects.get()
    assert record.outcome == IndicatorImport.Outcome.REFUSED
    assert list(record.councils.all()) == [durham]
    assert "England figures are loaded by portal administrators" in (
        record.error_summary
    )
