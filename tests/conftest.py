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
def fresh_pages_after_settings_change():
    """A setting changed by a test (``settings`` fixture, ``override_settings``)
    may change what pages show: cached pages are made stale, as a deploy's new
    code version does in production."""
    from django.test.signals import setting_changed

    from councils.pagecache import content_changed

    def expire(setting, **kwargs):
        if setting != "CACHES":
            content_changed()

    setting_changed.connect(expire, dispatch_uid="test-page-cache")
    yield
    setting_changed.disconnect(dispatch_uid="test-page-cache")


@pytest.fixture
def one_rate_limit_window(time_machine):
    """Stand the clock still, so a test's requests all count in one rate-limit window.

    Limits count per fixed window of the wall clock; a test that makes a few
    requests and expects the next one refused fails if they straddle a window's
    end (as one did in CI, when the first request of a run was slow).
    """
    import datetime

    time_machine.move_to(datetime.datetime.now(datetime.UTC), tick=False)


@pytest.fixture
def uncached(settings):
    """The page cache and complete download files off: query counts are those of
    a page as rendered and a download as streamed (a cached copy takes none, the
    first request after a change asks the database for the next scheduled
    publication, and an unfiltered download would queue a build of its file)."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.DOWNLOAD_FILES = False


@pytest.fixture(autouse=True, scope="session")
def download_files_in_a_temporary_folder(tmp_path_factory):
    """Complete download files made by tests go to a folder of the test run's."""
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "downloads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("downloads"))},
        },
    }
    with override_settings(STORAGES=storages):
        yield


QUERY_COUNTING_FIXTURES = {"django_assert_num_queries", "django_assert_max_num_queries"}


@pytest.fixture(autouse=True)
def uncached_when_counting_queries(request):
    if QUERY_COUNTING_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("uncached")


@pytest.fixture(autouse=True, scope="session")
def content_version_in_a_temporary_folder(tmp_path_factory):
    """Without CACHE_URL the content version is kept in files (see
    ``councils.pagecache.version_cache``): the test run's own folder."""
    from django.conf import settings
    from django.test import override_settings

    from councils.pagecache import VERSION_CACHE

    if VERSION_CACHE not in settings.CACHES:
        yield
        return
    caches = {
        **settings.CACHES,
        VERSION_CACHE: {
            **settings.CACHES[VERSION_CACHE],
            "LOCATION": str(tmp_path_factory.mktemp("content-version")),
        },
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counts start at zero in every test (the cache outlives tests),
    and so does the content version."""
    from django.core.cache import cache

    from councils.pagecache import version_cache

    cleared = [cache] if version_cache() is cache else [cache, version_cache()]
    for each in cleared:
        each.clear()
    yield
    for each in cleared:
        each.clear()


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
