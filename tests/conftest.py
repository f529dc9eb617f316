import pytest

from tests.factories import (
    CouncilFactory,
    RegionFactory,
    UserFactory,
    make_commissioner,
)


@pytest.fixture
def gateshead(db):
    return CouncilFactory(
        name="Gateshead Council", slug="gateshead", gss_code="E08000037"
    )


@pytest.fixture
def darlington(db):
    return CouncilFactory(
        name="Darlington Borough Council", slug="darlington", gss_code="E06000005"
    )


@pytest.fixture
def gateshead_commissioner(gateshead):
    return make_commissioner(gateshead, username="gateshead-staff")


@pytest.fixture
def portal_admin(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def gateshead_client(client, gateshead_commissioner):
    client.force_login(gateshead_commissioner)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def north_east_councils(db):
    """Four councils under the names CQC's files use for them in other words."""
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
