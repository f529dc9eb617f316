"""import_cqc_directory: CQC's care directory CSV, in the shape CQC publishes it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from providers.models import CareService, CqcImport, Provider
from tests.factories import CareServiceFactory, TypeOfCareFactory

from .conftest import DATA

pytestmark = pytest.mark.django_db
SAMPLE = DATA / "cqc_care_directory_sample.csv"


def run(path, *options, command="import_cqc_directory"):
    out = StringIO()
    call_command(command, str(path), *options, stdout=out)
    return out.getvalue()


def edited_sample(tmp_path, old, new, name="edited.csv"):
    path = tmp_path / name
    data = SAMPLE.read_bytes().decode("utf-8-sig")
    assert old in data
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(old, new, 1).encode())
    return path


def test_cqcs_file_with_bom_crlf_and_preamble_imports(north_east_councils):
    output = run(SAMPLE)
    assert "produced on 01 November 2025: 3 services added, 0 updated" in output
    assert "1 outside the portal's regions skipped" in output
    assert "1 not adult social care skipped" in output
    home = CareService.objects.get(cqc_location_id="1-000000001")
    assert home.council.slug == "gateshead"
    assert home.website == "http://www.example.org"
    assert home.provider.cqc_provider_id == "1-000000101"


def test_cqcs_date_form_is_read(north_east_councils):
    run(SAMPLE)
    home = CareService.objects.get(cqc_location_id="1-000000001")
    assert home.latest_check_on.isoformat() == "2024-01-09"  # "09/Jan/2024 - 00:00"


def test_short_service_type_names_make_care_homes_and_community_services(
    north_east_councils,
):
    run(SAMPLE)
    home = CareService.objects.get(cqc_location_id="1-000000001")
    assert home.care_home is True
    assert sorted(home.service_types.values_list("name", flat=True)) == [
        "Care home service with nursing",
        "Care home service without nursing",
    ]
    living = CareService.objects.get(cqc_location_id="1-000000003")
    assert living.care_home is False
    assert sorted(living.service_types.values_list("name", flat=True)) == [
        "Domiciliary care service",
        "Supported living service",
    ]


def test_service_types_are_placed_in_the_portals_types_of_care(north_east_councils):
    TypeOfCareFactory(slug="nursing-care", name="Nursing care")
    TypeOfCareFactory(slug="domiciliary-care", name="Domiciliary care")
    run(SAMPLE)
    home = CareService.objects.get(cqc_location_id="1-000000001")
    assert sorted(str(t.type_of_care) for t in home.service_types.all()) == [
        "None",
        "Nursing care",
    ]
    agency = CareService.objects.get(cqc_location_id="1-000000002")
    assert [t.type_of_care.slug for t in agency.service_types.all()] == [
        "domiciliary-care"
    ]


def test_older_files_heading_local_authority_with_a_capital_a_import(
    north_east_councils,
):
    output = run(DATA / "cqc_care_directory_2019_local_authority_heading.csv")
    assert "produced on 05 June 2019: 3 services added" in output


def test_local_authority_names_map_to_councils_through_aliases(north_east_councils):
    run(SAMPLE)
    by_id = dict(CareService.objects.values_list("cqc_location_id", "council__slug"))
    assert by_id["1-000000002"] == "county-durham"  # "County Durham"
    assert by_id["1-000000003"] == "newcastle"  # "Newcastle upon Tyne"


def test_importing_again_updates_by_cqc_location_id_and_keeps_what_cqc_lacks(
    north_east_councils, tmp_path
):
    run(SAMPLE)
    service = CareService.objects.get(cqc_location_id="1-000000001")
    service.rating = "good"
    service.council_contracted = True
    service.save()
    renamed = edited_sample(tmp_path, "Test Care Home One", "Test Care Home Renamed")
    output = run(renamed)
    assert "0 services added, 1 updated, 2 unchanged" in output
    service.refresh_from_db()
    assert service.name == "Test Care Home Renamed"
    assert service.rating == "good"
    assert service.council_contracted is True
    assert Provider.objects.count() == 2


def test_a_service_no_longer_listed_is_marked_deregistered_not_deleted(
    north_east_councils, tmp_path
):
    run(SAMPLE)
    without = edited_sample(tmp_path, "Test Home Care Two", "Test Home Care 2")
    data = (
        without.read_bytes().decode("utf-8-sig").replace("1-000000002", "1-000000009")
    )
    without.write_bytes(data.encode())
    output = run(without)
    assert "1 marked as having left CQC's register" in output
    gone = CareService.objects.get(cqc_location_id="1-000000002")
    assert gone.deregistered_on.isoformat() == "2025-11-01"
    assert not CareService.objects.cqc_registered().filter(pk=gone.pk).exists()


def test_every_run_is_recorded_with_the_files_date(north_east_councils):
    run(SAMPLE)
    record = CqcImport.objects.get()
    assert record.kind == "directory"
    assert record.produced_on.isoformat() == "2025-11-01"
    assert (record.added, record.outside_regions, record.not_social_care) == (3, 1, 1)


def test_dry_run_saves_nothing(north_east_councils):
    output = run(SAMPLE, "--dry-run")
    assert "Would import" in output
    assert CareService.objects.count() == 0
    assert CqcImport.objects.count() == 0


def test_unknown_local_authority_is_reported_and_nothing_is_imported(
    north_east_councils, tmp_path
):
    path = edited_sample(tmp_path, ",Gateshead,North East,", ",Gotham,North East,")
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert "Nothing was imported" in message
    assert (
        "Column 'Local authority': Unknown local authority 'Gotham' in rows 6"
        in message
    )
    assert CareService.objects.count() == 0
    assert Provider.objects.count() == 0


def test_bad_rows_name_the_row_the_column_and_the_reason(north_east_councils, tmp_path):
    path = edited_sample(tmp_path, "12/Sep/2022 - 00:00", "31/Feb/2022 - 00:00")
    data = path.read_bytes().decode().replace(",1-000000003,", ",not-an-id,", 1)
    path.write_bytes(data.encode())
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert (
        "Row 7, column 'Date of latest check': '31/Feb/2022 - 00:00' is not a date"
        in message
    )
    assert (
        "Row 8, column 'CQC Location ID (for office use only)': 'not-an-id'" in message
    )
    assert CareService.objects.count() == 0


def test_a_row_without_a_location_id_is_refused(north_east_councils, tmp_path):
    path = edited_sample(tmp_path, ",1-000000002,", ",,")
    with pytest.raises(CommandError, match=r"Row 7.*is empty: every row needs"):
        run(path)


def test_existing_services_are_unchanged_when_an_import_is_refused(
    north_east_councils, tmp_path
):
    CareServiceFactory(
        council=north_east_councils["gateshead"],
        cqc_location_id="1-000000001",
        name="Before",
    )
    path = edited_sample(tmp_path, ",Gateshead,North East,", ",Gotham,North East,")
    with pytest.raises(CommandError):
        run(path)
    assert CareService.objects.get(cqc_location_id="1-000000001").name == "Before"


def test_a_file_that_is_not_cqcs_is_refused(north_east_councils, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("Name,Postcode\nA home,NE1 1AA\n")
    with pytest.raises(CommandError, match=r"wrong\.csv is not one of CQC's files"):
        run(path)


def test_a_ratings_file_given_to_the_directory_import_is_named(north_east_councils):
    with pytest.raises(CommandError) as error:
        run(DATA / "01_November_2025_Latest_ratings.csv")
    assert (
        "01_November_2025_Latest_ratings.csv is CQC's latest ratings file, not "
        "CQC's care directory (CSV). Import it with import_cqc_ratings."
    ) in str(error.value)


def test_the_same_location_twice_is_reported(north_east_councils, tmp_path):
    path = edited_sample(tmp_path, ",1-000000003,", ",1-000000001,")
    with pytest.raises(CommandError, match="1-000000001 appears twice"):
        run(path)
