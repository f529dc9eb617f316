"""A live server of the portal with the demo data, and Debian's Chromium to drive it.

The demo data is loaded once for the whole of tests/browser and the server and
browser are shared by every test in it, which keeps the suite to a few seconds a page. The data goes into
pytest-django's test database, committed, and is flushed when the last browser test
has run, so the other test packages see an empty database as usual.

Chromium is Debian's (/usr/bin/chromium): Playwright drives it through
``executable_path`` and never downloads a browser of its own. Without it every test
here is skipped with a reason, and scripts/test says so.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.browser.pages import Page, page_url

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


@pytest.fixture(scope="package")
def allow_orm_beside_playwright():
    """Let the ORM run while Playwright's sync API is running.

    Playwright's sync API runs an asyncio event loop in the main thread, and Django
    refuses ORM calls from a thread with a running loop. Here only fixtures touch
    the database (loading and flushing the demo data, pytest-django's per-test
    transaction), never at the same time as a request. The variable is removed
    after the browser tests: ``check --deploy`` rightly rejects it, and the tests
    that run that command start it with this process's environment.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def portal(allow_orm_beside_playwright, django_db_setup, django_db_blocker):
    """The portal's base URL, served from a thread with the demo data loaded."""
    django_db_blocker.unblock()
    server = None
    try:
        call_command("load_demo_data", verbosity=0)
        server = LiveServer("localhost:0")
        server._live_server_modified_settings.enable()
        yield server.url
    finally:
        if server is not None:
            server._live_server_modified_settings.disable()
            server.stop()
        call_command("flush", interactive=False, verbosity=0)
        django_db_blocker.restore()


@pytest.fixture(scope="package")
def browser(allow_orm_beside_playwright):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
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
def new_page(browser_contexts, db):
    """Open a page: ``new_page(viewport=..., java_script_enabled=False, ...)``.

    The options are Playwright's ``new_context`` options. Pages close after the test.
    Asking for ``db`` makes pytest-django set up the test database (it does so only
    for sessions with a test that uses it) and keeps each test's own writes, if it
    makes any, in a transaction that is rolled back.
    """
    pages = []

    def open_page(viewport=DESKTOP, **options):
        page = browser_contexts(viewport, **options).new_page()
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.close()


def visit(page, entry: Page):
    """Go to a page of the list in pages.py and check it answered as expected."""
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
