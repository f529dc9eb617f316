"""The generated national files import like CQC's own."""

from io import StringIO

import pytest
from django.core.management import call_command

from providers.cqc.sample import NORTH_EAST
from providers.models import CareService, CqcImport
from tests.factories import CouncilFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("01_November_2026_Latest_ratings.ods", []),
        ("01_November_2026_Latest_ratings.csv", []),
        ("01_November_2026_HSCA_Active_Locations.ods", ["--active-locations"]),
    ],
)
def test_a_generated_file_imports_with_england_counts(tmp_path, name, options):
    region = RegionFactory()
    for authority, _district in NORTH_EAST:
        CouncilFactory(name=authority, region=region)
    path = tmp_path / name
    call_command(
        "generate_cqc_ratings_file",
        str(path),
        "--locations",
        "300",
        *options,
        stdout=StringIO(),
    )
    call_command("import_cqc_ratings", str(path), stdout=StringIO())
    run = CqcImport.objects.get()
    assert run.produced_on.isoformat() == "2026-11-01"
    assert run.outside_regions > 0
    assert run.england["care_homes"]["judged"] > 0
    assert CareService.objects.count() == run.added > 0


def test_both_generated_files_of_one_seed_describe_the_same_locations(tmp_path):
    """As CQC's own files do: after the latest ratings file, the care directory of
    the same seed marks no service as having left the register, changes no
    rating, and adds only the services registered since (not yet rated)."""
    region = RegionFactory()
    for authority, _district in NORTH_EAST:
        CouncilFactory(name=authority, region=region)
    directory = tmp_path / "01_November_2026_HSCA_Active_Locations.ods"
    ratings = tmp_path / "01_November_2026_Latest_ratings.csv"
    for path, options in ((directory, ["--active-locations"]), (ratings, [])):
        call_command(
            "generate_cqc_ratings_file",
            str(path),
            "--locations",
            "600",
            "--seed",
            "3",
            *options,
            stdout=StringIO(),
        )
    call_command("import_cqc_ratings", str(ratings), stdout=StringIO())
    rated = dict(CareService.objects.values_list("cqc_location_id", "rating"))
    assert rated and all(rated.values())

    call_command("import_cqc_ratings", str(directory), stdout=StringIO())
    run = CqcImport.objects.latest("pk")
    assert run.deregistered == 0
    assert run.added > 0
    after = dict(CareService.objects.values_list("cqc_location_id", "rating"))
    assert {key: after[key] for key in rated} == rated
    assert not any(after[key] for key in after.keys() - rated.keys())
    assert len(after) == len(rated) + run.added
