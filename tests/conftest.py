import os

import pytest

from tests.factories import (
    CouncilFactory,
    RegionFactory,
    UserFactory,
    make_commissioner,
)

CLOCK_OFFSET_VARIABLE = "MPS_TEST_CLOCK_OFFSET_YEARS"


def pytest_addoption(parser):
    parser.addoption(
        "--years-ahead",
        type=int,
        default=int(os.environ.get(CLOCK_OFFSET_VARIABLE) or 0),
        help="Run the suite with the clock moved this many years ahead (time-machine), "
        "to prove no test depends on the year it runs in. Defaults to the "
        f"{CLOCK_OFFSET_VARIABLE} environment variable.",
    )


def pytest_configure(config):
    years = config.getoption("--years-ahead")
    if years:
        import datetime

        import time_machine

        now = datetime.datetime.now(datetime.UTC)
        # Before any test module is imported, so factory dates move too. Every
        # "now" in the code is councils.clock (Python's clock, which time-machine
        # moves), never the database's NOW(), which it cannot.
        try:
            ahead = now.replace(year=now.year + years)
        except ValueError:  # 29 February, into a year without one
            ahead = now.replace(year=now.year + years, day=28)
        config._clock = time_machine.travel(ahead, tick=True)
        config._clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    years = config.getoption("--years-ahead")
    if years:
        import datetime

        return f"clock moved {years} years ahead: today is {datetime.date.today()}"
    return None


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


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counts start at zero in every test (the cache outlives tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def login_with_second_factor(client, user):
    """Sign ``user`` in as the admin's form would after a correct app code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def admin_client_verified(client, portal_admin):
    login_with_second_factor(client, portal_admin)
    return client
