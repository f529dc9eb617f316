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
