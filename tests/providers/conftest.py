from pathlib import Path

import pytest

from tests.factories import CouncilFactory, RegionFactory

DATA = Path(__file__).parent / "data"


@pytest.fixture
def north_east_councils(db):
    region = RegionFactory(name="North East", slug="north-east", gss_code="E12000001")
    names = {
        "gateshead": "Gateshead Council",
        "county-durham": "Durham County Council",
        "newcastle": "Newcastle City Council",
        "sunderland": "Sunderland City Council",
    }
    return {
        slug: CouncilFactory(name=name, slug=slug, region=region)
        for slug, name in names.items()
    }
