"""import_cqc_ratings: the care directory with filters and the latest ratings file."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from providers.models import CareService, CqcImport, PastRating
from tests.factories import CareServiceFactory

from .conftest import DATA

pytestmark = pytest.mark.django_db
ACTIVE = DATA / "01_November_2025_HSCA_Active_Locations.ods"
LATEST_ODS = DATA / "01_November_2025_Latest_ratings.ods"
LATEST_CSV = DATA / "01_November_2025_Latest_ratings.csv"


def run(path, *options):
    out = StringIO()
    call_command("import_cqc_ratings", str(path), *options, stdout=out)
    return out.getvalue()


def edited_csv(tmp_path, old, new):
    path = tmp_path / "01_November_2025_Latest_ratings.csv"
    data = LATEST_CSV.read_bytes().decode("utf-8-sig")
    assert old in data
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(old, new, 1).encode())
    return path


def test_care_directory_with_filters_adds_and_rates_services_in_the_region(
    north_east_councils,
):
    output = run(ACTIVE)
    assert "produced on 01 November 2025: 3 services added" in output
    assert "1 outside the portal's regions skipped, 1 not adult social care" in output
    home = CareService.objects.get(cqc_location_id="1-000000001")
    assert (home.name, home.council.slug, home.postcode) == (
        "Test Care Home One",
        "gateshead",
        "NE8 1AA",
    )
    assert (home.care_home, home.beds, home.rating) == (True, 40, "good")
    assert home.rating_published_on == date(2025, 3, 14)
    assert home.rating_inherited is False
    assert home.provider.name == "Test Provider Alpha Ltd"
    assert sorted(home.service_types.values_list("name", flat=True)) == [
        "Care home service with nursing",
        "Care home service without nursing",
    ]
    unrated = CareService.objects.get(cqc_location_id="1-000000006")
    assert (unrated.council.slug, unrated.rating) == ("sunderland", "")


def test_englands_counts_come_from_every_adult_social_care_row(north_east_councils):
    run(ACTIVE)
    england = CqcImport.objects.get().england
    # Gateshead's Good home and Leeds's Outstanding one; Durham's home care agency
    # rated Requires improvement; the unrated service and the dentist are not counted.
    assert england["care_homes"] == {"good": 2, "judged": 2}
    assert england["community"] == {"good": 0, "judged": 1}
    assert england["residential-care"] == {"good": 2, "judged": 2}
    assert england["domiciliary-care"] == {"good": 0, "judged": 1}


@pytest.mark.parametrize("path", [LATEST_ODS, LATEST_CSV], ids=["ods", "csv"])
def test_latest_ratings_give_the_overall_rating_and_the_five_key_questions(
    north_east_councils, path
):
    output = run(path)
    assert "2 services added" in output
    home = CareService.objects.get(cqc_location_id="1-000000001")
    assert home.rating == "good"
    assert home.rating_published_on == date(2025, 3, 14)
    assert home.key_question_ratings == [
        ("Safe", "Requires improvement"),
        ("Effective", "Good"),
        ("Caring", "Outstanding"),
        ("Responsive", "Good"),
        ("Well-led", "Good"),
    ]
    # The "Homecare services" row rates one service, not the location: left out.
    agency = CareService.objects.get(cqc_location_id="1-000000002")
    assert agency.rating == "requires_improvement"
    assert agency.well_led_rating == "inadequate"
    assert agency.effective_rating == ""


def test_a_changed_rating_keeps_the_previous_one_with_its_date(
    north_east_councils, client
):
    service = CareServiceFactory(
        council=north_east_councils["gateshead"],
        cqc_location_id="1-000000001",
        care_home=True,
        rating="requires_improvement",
        rating_published_on=date(2023, 8, 1),
    )
    run(LATEST_ODS)
    service.refresh_from_db()
    assert service.rating == "good"
    past = PastRating.objects.get(service=service)
    assert (past.rating, past.published_on, past.replaced_on) == (
        "requires_improvement",
        date(2023, 8, 1),
        date(2025, 11, 1),
    )
    page = client.get(service.get_absolute_url()).content.decode()
    assert "Rated Good since March 2025 (previously Requires improvement)" in page


def test_importing_the_same_file_again_changes_nothing(north_east_councils):
    run(LATEST_ODS)
    output = run(LATEST_ODS)
    assert "0 services added, 0 updated, 2 unchanged" in output
    assert PastRating.objects.count() == 0


def test_the_latest_ratings_file_never_deregisters(north_east_councils):
    other = CareServiceFactory(
        council=north_east_councils["sunderland"], cqc_location_id="1-000000006"
    )
    run(LATEST_ODS)
    other.refresh_from_db()
    assert other.deregistered_on is None


def test_the_register_file_marks_services_missing_from_it(north_east_councils):
    gone = CareServiceFactory(
        council=north_east_councils["sunderland"], cqc_location_id="1-000000099"
    )
    output = run(ACTIVE)
    assert "1 marked as having left CQC's register" in output
    gone.refresh_from_db()
    assert gone.deregistered_on == date(2025, 11, 1)


def test_an_unknown_rating_word_names_row_and_column(north_east_councils, tmp_path):
    path = edited_csv(tmp_path, ",Caring,Outstanding,", ",Caring,Superb,")
    with pytest.raises(CommandError) as error:
        run(path)
    assert "Row 5, column 'Latest Rating': 'Superb' is not one of CQC's ratings" in str(
        error.value
    )
    assert CareService.objects.count() == 0


def test_an_unreadable_publication_date_names_row_and_column(
    north_east_councils, tmp_path
):
    path = edited_csv(
        tmp_path,
        ",Safe,Requires improvement,14/03/2025,",
        ",Safe,Requires improvement,14th March,",
    )
    with pytest.raises(
        CommandError,
        match="Row 3, column 'Publication Date': '14th March' is not a date",
    ):
        run(path)


def test_a_publication_date_that_is_no_day_of_the_year_is_refused(
    north_east_councils, tmp_path
):
    path = edited_csv(
        tmp_path,
        ",Safe,Requires improvement,14/03/2025,",
        ",Safe,Requires improvement,31/02/2025,",
    )
    with pytest.raises(
        CommandError,
        match="Row 3, column 'Publication Date': '31/02/2025' is not a date",
    ):
        run(path)
    assert CareService.objects.count() == 0


def test_a_row_with_two_bad_cells_names_the_first(north_east_councils, tmp_path):
    path = edited_csv(
        tmp_path,
        ",Safe,Requires improvement,14/03/2025,",
        ",Safe,Superb,14th March,",
    )
    with pytest.raises(CommandError) as error:
        run(path)
    assert "Row 3, column 'Latest Rating': 'Superb'" in str(error.value)
    assert "'14th March'" not in str(error.value)


def test_an_unknown_key_question_is_refused(north_east_councils, tmp_path):
    path = edited_csv(tmp_path, ",Effective,Good,", ",Efficient,Good,")
    with pytest.raises(CommandError, match="'Efficient' is not one of CQC's key"):
        run(path)


def test_a_row_without_a_location_id_is_refused(north_east_councils, tmp_path):
    path = edited_csv(tmp_path, "\r\n1-000000001,", "\r\n,")
    with pytest.raises(CommandError, match="Row 2, column 'Location ID': is empty"):
        run(path)


def test_the_directory_given_to_the_ratings_import_is_named(north_east_councils):
    with pytest.raises(CommandError) as error:
        run(DATA / "cqc_care_directory_sample.csv")
    assert "cqc_care_directory_sample.csv is CQC's care directory (CSV), not" in str(
        error.value
    )


def test_a_file_without_a_date_needs_one_given(north_east_councils, tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(LATEST_CSV.read_bytes())
    with pytest.raises(CommandError, match="does not say when CQC produced it"):
        run(path)
    assert "produced on 02 November 2025" in run(path, "--produced-on", "2025-11-02")


def test_a_spreadsheet_that_is_not_an_ods_is_refused(north_east_councils, tmp_path):
    path = tmp_path / "ratings.ods"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match=r"ratings\.ods cannot be read"):
        run(path)


def test_an_ods_declaring_entities_is_refused(north_east_councils, tmp_path):
    import zipfile

    path = tmp_path / "ratings.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        )
    with pytest.raises(CommandError, match="declares a document type"):
        run(path)
