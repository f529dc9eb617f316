"""A live server of the portal with the demo data, and Debian's Chromium to drive it.

The demo data is loaded once for the whole of tests/browser and the server and
browser are shared by every test in it, which keeps the suite to a few seconds a page. The data goes into
pytest-django's test database, committed, and is flushed when the last browser test
has run, so the other test packages see an empty database as usual.

Chromium is Debian's (/usr/bin/chromium): Playwright drives it through
``executable_path`` and never downloads a browser of its own. Without it every test
here is skipped with a reason, and scripts/test says so.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from councils.management.commands.load_demo_data import DEMO_PASSWORD
from tests.browser import urls as browser_urls
from tests.browser.pages import Page, page_url
from tests.providers.conftest import DATA

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# Named in the README; /test-artifacts/ is git-ignored.
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}
# The live server's URL, once the portal fixture has started it.
PORTAL = {}
CQC_FILE = DATA / "01_November_2025_HSCA_Active_Locations.ods"


@pytest.fixture(scope="package")
def portal(django_db_setup, django_db_blocker):
    """The portal's base URL, served from a thread with the demo data loaded.

    Set up before Playwright starts and torn down after it stops: Playwright's sync
    API runs an asyncio event loop in the main thread, and Django refuses ORM calls
    from a thread with a running loop. No test here uses the ORM itself, so
    DJANGO_ALLOW_ASYNC_UNSAFE is not needed.
    """
    django_db_blocker.unblock()
    server = None
    # Two pages that always fail (tests/browser/urls.py) show the 500 and 429 pages;
    # the others get limits no test reaches.
    error_pages = override_settings(
        ROOT_URLCONF="tests.browser.urls",
        RATE_LIMITS={
            **{
                name: {**rule, "limit": 100_000}
                for name, rule in settings.RATE_LIMITS.items()
            },
            **browser_urls.RATE_LIMITS,
        },
    )
    try:
        call_command("load_demo_data", verbosity=0)
        error_pages.enable()
        # CQC's ratings for a few services, so the quality pages show their tables.
        call_command("import_cqc_ratings", str(CQC_FILE), stdout=io.StringIO())
        server = LiveServer("localhost:0")
        server._live_server_modified_settings.enable()
        PORTAL["url"] = server.url
        yield server.url
    finally:
        if server is not None:
            server._live_server_modified_settings.disable()
            server.stop()
        error_pages.disable()
        call_command("flush", interactive=False, verbosity=0)
        connections.close_all()
        django_db_blocker.restore()


@pytest.fixture(scope="package")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    return CHROMIUM


@pytest.fixture(scope="package")
def browser(chromium, portal):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def browser_contexts(browser, portal):
    """One browser context per set of options, kept for the whole package.

    Reusing a context keeps its HTTP cache, so the stylesheets and scripts are
    fetched once rather than for every test; the portal sets no cookies for
    visitors, so tests do not see each other's state through it.
    """
    contexts = {}

    def context_for(viewport, **options):
        key = (tuple(sorted(viewport.items())), tuple(sorted(options.items())))
        if key not in contexts:
            context = browser.new_context(base_url=portal, viewport=viewport, **options)
            context.set_default_timeout(10_000)
            contexts[key] = context
        return contexts[key]

    yield context_for
    for context in contexts.values():
        context.close()


@pytest.fixture
def db(portal):
    """Replaces pytest-django's ``db`` fixture for the browser tests.

    pytest-django creates the test database only when some test asks for a fixture
    named ``db`` (otherwise the server would read the development database). Its own
    ``db`` would also wrap each test in a transaction, on a connection opened while
    Playwright's event loop runs, that is never closed. Browser tests write nothing:
    they read the demo data that ``portal`` loaded.
    """


@pytest.fixture
def fast_password_hashing():
    """Replaces the suite's MD5 hashing: the demo accounts were made, with the
    default hasher, before any test's settings applied, and must still sign in."""


@pytest.fixture
def new_page(browser_contexts, db):
    """Open a page: ``new_page(viewport=..., java_script_enabled=False, ...)``.

    The options are Playwright's ``new_context`` options. Pages close after the test.
    """
    pages = []

    def open_page(viewport=DESKTOP, **options):
        page = browser_contexts(viewport, **options).new_page()
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.close()


def sign_in_for_one_page(page, username: str, path: str) -> None:
    """Give the page's context a session for one address only.

    The demo account signs in through the admin's login form in a context of its
    own; the session cookie is copied with that address as its path, so the shared
    contexts stay signed out for every other page.
    """
    context = page.context.browser.new_context(base_url=PORTAL["url"])
    login = context.new_page()
    login.goto("/admin/login/")
    login.fill("#id_username", username)
    login.fill("#id_password", DEMO_PASSWORD)
    with login.expect_navigation():
        login.click("input[type=submit]")
    session = next(c for c in context.cookies() if c["name"] == "sessionid")
    context.close()
    page.context.add_cookies([{**session, "path": path}])


def visit(page, entry: Page):
    """Go to a page of the list in pages.py and check it answered as expected."""
    if entry.signed_in_as:
        sign_in_for_one_page(page, entry.signed_in_as, page_url(entry))
    response = page.goto(page_url(entry))
    assert response is not None, f"{entry.name}: no response"
    assert response.status == entry.status, (
        f"{entry.name} ({page_url(entry)}) answered {response.status}, "
        f"expected {entry.status}"
    )
    return response


def screenshot(page, entry: Page, size: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]', '-', entry.name)}-{size}.png"
    page.screenshot(path=path, full_page=True)
    return path
