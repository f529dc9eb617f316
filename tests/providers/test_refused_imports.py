"""A refused CQC import imports nothing but leaves a record: who, when, which file,
why, and the row and column, in the admin for portal administrators."""

import html
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from providers.models import CareService, CqcImport
from tests.conftest import login_with_second_factor
from tests.factories import make_commissioner

from .conftest import DATA

pytestmark = pytest.mark.django_db
LATEST_CSV = DATA / "01_November_2025_Latest_ratings.csv"
ACTIVE = DATA / "01_November_2025_HSCA_Active_Locations.ods"
DIRECTORY = DATA / "cqc_care_directory_sample.csv"
LIST = "/admin/providers/cqcimport/"


def run(command, path, *options):
    call_command(command, str(path), *options, stdout=StringIO())


def bad_ratings_file(tmp_path):
    path = tmp_path / "01_November_2025_Latest_ratings.csv"
    data = LATEST_CSV.read_bytes().decode("utf-8-sig")
    path.write_bytes(
        b"\xef\xbb\xbf"
        + data.replace(",Caring,Outstanding,", ",Caring,Superb,").encode()
    )
    return path


def test_a_bad_row_is_recorded_with_its_row_column_and_reason(
    north_east_councils, tmp_path, portal_admin
):
    with pytest.raises(CommandError):
        run("import_cqc_ratings", bad_ratings_file(tmp_path), "--user", "admin")
    assert not CareService.objects.exists()
    run_ = CqcImport.objects.get()
    assert (run_.outcome, run_.kind, run_.file_name, run_.imported_by) == (
        "refused",
        "latest_ratings",
        "01_November_2025_Latest_ratings.csv",
        portal_admin,
    )
    assert run_.produced_on.isoformat() == "2025-11-01"
    assert run_.problems == [
        {
            "row": 5,
            "column": "Latest Rating",
            "reason": "'Superb' is not one of CQC's ratings (Outstanding, Good, "
            "Requires improvement, Inadequate, Insufficient evidence to rate, "
            "Not rated)",
        }
    ]
    assert (run_.added, run_.england, run_.preview) == (0, {}, False)


def test_a_file_that_is_not_cqcs_is_recorded_as_refused(north_east_councils, tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text("Council,Budget\r\nGateshead,100\r\n", encoding="utf-8")
    with pytest.raises(CommandError):
        run("import_cqc_directory", path)
    run_ = CqcImport.objects.get()
    assert (run_.outcome, run_.kind, run_.produced_on, run_.imported_by) == (
        "refused",
        "",
        None,
        None,
    )
    assert "budget.csv is not one of CQC's files" in run_.problems[0]["reason"]


def test_the_wrong_kind_of_file_is_recorded_as_refused(north_east_councils):
    with pytest.raises(CommandError):
        run("import_cqc_directory", ACTIVE)
    assert (
        "is CQC's care directory with filters (HSCA active locations), not"
        in (CqcImport.objects.get().problems[0]["reason"])
    )


def test_a_refused_dry_run_is_recorded_as_refused_at_preview(
    north_east_councils, tmp_path
):
    with pytest.raises(CommandError):
        run("import_cqc_ratings", bad_ratings_file(tmp_path), "--dry-run")
    assert CqcImport.objects.get().preview is True
    # A dry run that would succeed records nothing.
    run("import_cqc_ratings", LATEST_CSV, "--dry-run")
    assert CqcImport.objects.count() == 1


def test_only_portal_administrators_may_be_named_as_the_importer(
    north_east_councils, django_user_model
):
    make_commissioner(north_east_councils["gateshead"], username="gateshead-staff")
    with pytest.raises(CommandError, match="No active portal administrator has"):
        run("import_cqc_ratings", ACTIVE, "--user", "gateshead-staff")
    assert not CqcImport.objects.exists()


def test_a_refused_upload_is_listed_in_the_admin_with_who_and_why(
    client, portal_admin, north_east_councils, tmp_path, settings
):
    from .test_import_admin import upload

    settings.MEDIA_ROOT = tmp_path / "media"
    login_with_second_factor(client, portal_admin)
    response = upload(client, bad_ratings_file(tmp_path))
    assert response.status_code == 400
    assert not CareService.objects.exists()
    run_ = CqcImport.objects.get()
    assert (run_.outcome, run_.preview, run_.imported_by) == (
        "refused",
        True,
        portal_admin,
    )
    listing = html.unescape(client.get(LIST + "?outcome__exact=refused").text)
    assert "Refused: nothing imported" in listing
    assert "Row 5, column 'Latest Rating': 'Superb' is not one of CQC" in listing
    detail = html.unescape(client.get(f"{LIST}{run_.pk}/change/").text)
    assert "<td>5</td><td>Latest Rating</td><td>'Superb' is not one of" in detail
    assert "01_November_2025_Latest_ratings.csv" in detail


def test_commissioners_see_no_import_records(client, north_east_councils, tmp_path):
    with pytest.raises(CommandError):
        run("import_cqc_ratings", bad_ratings_file(tmp_path))
    client.force_login(make_commissioner(north_east_councils["gateshead"]))
    assert client.get(LIST).status_code == 403
    run_ = CqcImport.objects.get()
    assert client.get(f"{LIST}{run_.pk}/change/").status_code == 403


def test_a_refused_file_never_becomes_the_figures_source(
    client, north_east_councils, tmp_path
):
    run("import_cqc_ratings", ACTIVE)
    later = tmp_path / "01_December_2025_Latest_ratings.csv"
    later.write_bytes(bad_ratings_file(tmp_path).read_bytes())
    with pytest.raises(CommandError):
        run("import_cqc_ratings", later)
    text = html.unescape(client.get("/quality/gateshead/").text)
    assert "file produced on 1 November 2025" in text
    assert "1 December 2025" not in text


def test_a_file_wrong_on_every_row_keeps_the_first_thousand_problems(
    north_east_councils, tmp_path
):
    data = LATEST_CSV.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    caring = next(line for line in data if ",Caring,Outstanding," in line)
    bad = caring.replace(",Caring,Outstanding,", ",Caring,Superb,")
    path = tmp_path / "01_November_2025_Latest_ratings.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "".join([data[0], *[bad] * 1200]).encode())
    with pytest.raises(CommandError):
        run("import_cqc_ratings", path)
    problems = CqcImport.objects.get().problems
    assert len(problems) == 1001
    assert problems[999]["row"] == 1001
    assert problems[-1] == {
        "row": None,
        "column": "",
        "reason": "and 200 more problems",
    }
