"""Without a shared cache (no ``CACHE_URL``: the embedded set-up), pages are kept
in the server process's own memory, but the content version they hang on is kept
in files: a command run beside the server, such as a CQC or tender import, makes
the server's pages stale at once, as an admin edit does."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = django_settings.BASE_DIR


def run_command_beside_the_server(*args, version_dir):
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CACHE_URL", "REDIS_URL", "DJANGO_ENV"}
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="mps_portal.settings", CONTENT_VERSION_DIR=version_dir
    )
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def embedded_caches(settings, tmp_path):
    """The caches as settings make them without CACHE_URL, in the test's folder."""
    assert "content-version" in django_settings.CACHES or os.environ.get("CACHE_URL")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "content-version": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "content-version"),
        },
    }
    return str(tmp_path / "content-version")


def test_a_command_run_beside_the_server_makes_its_cached_pages_stale(
    embedded_caches, gateshead
):
    visitor = Client()
    url = gateshead.get_absolute_url()
    assert visitor.get(url)["X-Page-Cache"] == "miss"
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    run_command_beside_the_server("expire_cached_pages", version_dir=embedded_caches)

    assert visitor.get(url)["X-Page-Cache"] == "miss"
    assert visitor.get(url)["X-Page-Cache"] == "hit"


def test_the_embedded_set_up_keeps_the_content_version_in_files():
    if os.environ.get("CACHE_URL"):
        pytest.skip("CACHE_URL names a shared cache, which holds the version itself")
    backend = django_settings.CACHES["content-version"]["BACKEND"]
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"


def test_many_writes_in_one_transaction_replace_the_version_once_not_per_statement(
    embedded_caches, gateshead, monkeypatch
):
    from councils import pagecache
    from tests.factories import SectionFactory

    visitor = Client()
    url = gateshead.get_absolute_url()
    assert visitor.get(url)["X-Page-Cache"] == "miss"
    made = []
    new_generation = pagecache._new_generation
    monkeypatch.setattr(
        pagecache, "_new_generation", lambda: made.append(1) or new_generation()
    )

    SectionFactory.create_batch(5, council=gateshead)

    # Each section is several statements; the version was read before the first.
    assert len(made) == 1
    page = visitor.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert len(made) == 1
    SectionFactory(council=gateshead)
    assert len(made) == 2  # read since: a page may be kept under it
