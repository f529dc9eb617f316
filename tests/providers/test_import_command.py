"""import_cqc_directory: CQC's care directory CSV in, all or nothing, with a report."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from providers.models import CareService, Provider
from tests.factories import CareServiceFactory, CouncilFactory

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "data" / "cqc_care_directory_sample.csv"


@pytest.fixture
def north_east_councils(db):
    return {
        "gateshead": CouncilFactory(name="Gateshead Council", slug="gateshead"),
        "county-durham": CouncilFactory(
            name="Durham County Council", slug="county-durham"
        ),
        "newcastle": CouncilFactory(name="Newcastle City Council", slug="newcastle"),
    }


def run(*files):
    out = StringIO()
    call_command("import_cqc_directory", *map(str, files), stdout=out)
    return out.getvalue()


def edited_sample(tmp_path, old, new, name="edited.csv"):
    path = tmp_path / name
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace(old, new, 1))
    return path


def test_sample_file_imports_services_in_the_portals_region(north_east_councils):
    output = run(SAMPLE)
    assert "3 services added, 0 updated, 1 outside the portal's regions" in output
    assert "produced on 01 November 2023" in output
    home = CareService.objects.get(cqc_location_id="1-000000001")
    assert home.council.slug == "gateshead"
    assert home.care_home is True
    assert home.website == "http://www.example.org"
    assert home.latest_check_on.isoformat() == "2023-05-12"
    assert home.provider.cqc_provider_id == "1-000000101"
    assert sorted(home.service_types.values_list("name", flat=True)) == [
        "Care home service with nursing",
        "Care home service without nursing",
    ]
    assert not CareService.objects.filter(cqc_location_id="1-000000004").exists()


def test_local_authority_names_map_to_councils_through_aliases(north_east_councils):
    run(SAMPLE)
    by_id = dict(CareService.objects.values_list("cqc_location_id", "council__slug"))
    assert by_id["1-000000002"] == "county-durham"  # "County Durham"
    assert by_id["1-000000003"] == "newcastle"  # "Newcastle upon Tyne"


def test_multi_valued_cells_are_split_on_the_pipe(north_east_councils):
    run(SAMPLE)
    service = CareService.objects.get(cqc_location_id="1-000000003")
    assert sorted(service.specialisms.values_list("name", flat=True)) == [
        "Autism",
        "Learning disabilities",
    ]
    assert service.care_home is False


def test_importing_again_updates_by_cqc_location_id(north_east_councils, tmp_path):
    run(SAMPLE)
    service = CareService.objects.get(cqc_location_id="1-000000001")
    service.rating = "good"
    service.council_contracted = True
    service.save()
    renamed = edited_sample(tmp_path, "Test Care Home One", "Test Care Home Renamed")
    output = run(renamed)
    assert "0 services added, 3 updated" in output
    service.refresh_from_db()
    assert service.name == "Test Care Home Renamed"
    # What the directory does not carry is kept: ratings and council contracts.
    assert service.rating == "good"
    assert service.council_contracted is True
    assert CareService.objects.count() == 3
    assert Provider.objects.count() == 2


def test_unknown_local_authority_is_reported_and_nothing_is_imported(
    north_east_councils, tmp_path
):
    path = edited_sample(tmp_path, ",Gateshead,North East,", ",Gotham,North East,")
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert "Nothing was imported" in message
    assert "Unknown local authority 'Gotham'" in message
    assert "edited.csv line 6" in message
    assert CareService.objects.count() == 0
    assert Provider.objects.count() == 0


def test_bad_rows_are_each_reported_and_nothing_is_imported(
    north_east_councils, tmp_path
):
    path = edited_sample(tmp_path, "12/09/2022", "31/02/2022")
    path.write_text(
        path.read_text().replace(",1-000000003,", ",not-an-id,", 1), encoding="utf-8"
    )
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert "edited.csv line 7: '31/02/2022' is not a date" in message
    assert "edited.csv line 8: CQC location ID 'not-an-id'" in message
    assert CareService.objects.count() == 0


def test_a_bad_second_file_leaves_the_first_unimported(north_east_councils, tmp_path):
    bad = edited_sample(tmp_path, "Test Home Care Two", "", name="bad.csv")
    with pytest.raises(CommandError, match=r"bad\.csv line 7: has no name"):
        run(SAMPLE, bad)
    assert CareService.objects.count() == 0


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


def test_a_file_without_cqcs_header_is_refused(north_east_councils, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("Name,Postcode\nA home,NE1 1AA\n")
    with pytest.raises(CommandError, match=r"wrong\.csv: line 5 is not CQC's care"):
        run(path)


def test_the_same_location_twice_is_reported(north_east_councils, tmp_path):
    path = edited_sample(tmp_path, ",1-000000003,", ",1-000000001,")
    with pytest.raises(CommandError, match="1-000000001 appears twice"):
        run(path)
