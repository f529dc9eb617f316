"""Anonymous visitors' pages come from the shared cache, and a change to public
content is on them at once: admin edits, imports, bulk writes, demo loads and
scheduled publications. Staff, previews and error pages never touch the cache.

Every test runs against the per-process memory cache and against a real Redis
(skipped when none answers, unless ``CACHE_URL`` names one, as in CI).
"""

import csv
import datetime
import io
import re
import time

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import mps_portal.pagecache
from councils.models import Council
from councils.publishing import publish, working_copy_save
from tenders.models import Tender
from tests import caches
from tests.factories import (
    CouncilFactory,
    IndicatorFactory,
    SectionFactory,
    TenderFactory,
    future_year,
    make_commissioner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["memory", "redis"])
def cache_backend(request, settings):
    with caches.cache_backend(settings, request.param) as name:
        yield name


@pytest.fixture
def visitor():
    return Client()


@pytest.fixture
def staff(gateshead):
    client = Client()
    client.force_login(make_commissioner(gateshead, username="gateshead-editor"))
    return client


def nonce_of(response) -> str:
    return re.search(r'<script nonce="([^"]+)"', response.text).group(1)


def test_a_visitors_second_request_for_a_page_is_served_from_the_cache(
    visitor, gateshead
):
    url = gateshead.get_absolute_url()
    first = visitor.get(url)
    second = visitor.get(url)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.text.replace(nonce_of(second), "") == first.text.replace(
        nonce_of(first), ""
    )
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Cache-Control"] == "private, no-cache"


def test_every_served_copy_has_a_fresh_nonce_that_its_csp_header_allows(
    visitor, gateshead
):
    url = gateshead.get_absolute_url()
    responses = [visitor.get(url) for _ in range(3)]

    nonces = [nonce_of(response) for response in responses]
    assert len(set(nonces)) == 3
    for response, nonce in zip(responses, nonces, strict=True):
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        assert response.text.count(nonce) == 1
    assert "page-cache-csp-nonce" not in responses[-1].text


def test_query_parameters_in_another_order_are_the_same_page(visitor, gateshead):
    url = reverse("tenders:tender-list")
    visitor.get(url + "?council=gateshead&sort=newest")
    again = visitor.get(url + "?sort=newest&council=gateshead")
    other = visitor.get(url + "?sort=newest")

    assert again["X-Page-Cache"] == "hit"
    assert other["X-Page-Cache"] == "miss"


def test_an_edit_in_the_admin_is_on_the_cached_page_at_once(visitor, staff, gateshead):
    from tests.councils.test_publishing import edit, publish_in_admin

    section = SectionFactory(council=gateshead, body="Words before the edit.")
    url = section.get_absolute_url()
    visitor.get(url)
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    assert edit(staff, section, "Words after the edit.").status_code == 302
    assert "Words before the edit." in visitor.get(url).text  # a working copy
    assert publish_in_admin(staff, section, note="Rewritten").status_code == 302

    page = visitor.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert "Words after the edit." in page.text


def test_a_published_section_edit_is_on_the_council_page_at_once(visitor, gateshead):
    section = SectionFactory(council=gateshead, body="Words before the change.")
    assert "Words before" in visitor.get(section.get_absolute_url()).text

    section.body = "Words after the change."
    working_copy_save(obj=section, user=None)
    assert "Words before" in visitor.get(section.get_absolute_url()).text  # draft
    publish(obj=section, user=None, major=True, note="Rewritten")

    assert "Words after the change." in visitor.get(section.get_absolute_url()).text


def test_a_tender_table_import_is_on_the_finder_at_once(visitor, gateshead, tmp_path):
    url = reverse("tenders:tender-list") + "?council=gateshead"
    assert "Extra care in Felling" not in visitor.get(url).text
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    path = tmp_path / "pipeline.csv"
    with path.open("w", newline="") as file:
        csv.writer(file).writerows(
            [
                ["Title", "Procurement activity"],
                ["Extra care in Felling", f"April {future_year()}"],
            ]
        )
    call_command(
        "import_tenders", str(path), "--council", "gateshead", stdout=io.StringIO()
    )

    assert "Extra care in Felling" in visitor.get(url).text


def test_an_indicator_table_import_is_on_the_indicator_page_at_once(visitor, tmp_path):
    CouncilFactory(name="Durham County Council", slug="durham", gss_code="E06000047")
    indicator = IndicatorFactory(
        name="Permanent admissions to care homes, aged 65 and over",
        slug="permanent-admissions-65",
        unit="per_100k",
        decimal_places=1,
    )
    url = reverse("councils:indicator-detail", args=[indicator.slug])
    assert "626.4" not in visitor.get(url).text
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    path = tmp_path / "figures.csv"
    path.write_text(
        "metric,area_code,period,value,source,source_link,as_at\r\n"
        "permanent-admissions-65,E06000047,2021/22,626.4,Durham County Council MPS,"
        "https://www.durham.gov.uk/media/mps,2023-09-01\r\n"
    )
    call_command("import_indicators", str(path), stdout=io.StringIO())

    assert "626.4" in visitor.get(url).text


def test_a_bulk_update_bypassing_model_signals_is_seen_at_once(visitor, gateshead):
    TenderFactory(council=gateshead, title="Day opportunities")
    url = reverse("tenders:tender-list")
    visitor.get(url)

    Tender._base_manager.filter(council=gateshead).update(title="Day services renamed")

    assert "Day services renamed" in visitor.get(url).text


def test_loading_the_demo_data_is_seen_at_once(visitor):
    home = visitor.get(reverse("councils:council-list"))
    assert "Durham County Council" not in home.text

    call_command("load_demo_data", verbosity=0)

    assert Council.objects.filter(name="Durham County Council").exists()
    assert "Durham County Council" in visitor.get(reverse("councils:council-list")).text


def test_a_scheduled_publication_is_on_the_page_once_its_time_comes(
    visitor, gateshead, settings
):
    """No write happens when the time comes: the cached copy must expire then."""
    settings.PAGE_CACHE_SECONDS = 3600
    section = SectionFactory(council=gateshead, body="Live words.")
    section.body = "Scheduled words."
    working_copy_save(obj=section, user=None)
    due = timezone.now() + datetime.timedelta(seconds=2)
    publish(obj=section, user=None, major=True, note="New plans", publish_at=due)

    url = section.get_absolute_url()
    assert "Live words." in visitor.get(url).text
    cached = visitor.get(url)
    assert cached["X-Page-Cache"] == "hit"
    assert "Live words." in cached.text

    # The database's clock decides (time-machine cannot move it): wait for it.
    while timezone.now() < due + datetime.timedelta(milliseconds=200):
        time.sleep(0.1)

    assert "Scheduled words." in visitor.get(url).text


def test_a_tender_scheduled_for_later_appears_on_the_finder_at_its_time(
    visitor, gateshead
):
    due = timezone.now() + datetime.timedelta(seconds=2)
    tender = TenderFactory(
        council=gateshead, title="Supported living lot", published=False
    )
    publish(obj=tender, user=None, major=True, publish_at=due)
    url = reverse("tenders:tender-list")
    assert "Supported living lot" not in visitor.get(url).text
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    while timezone.now() < due + datetime.timedelta(milliseconds=200):
        time.sleep(0.1)

    assert "Supported living lot" in visitor.get(url).text


def test_cached_pages_expire_at_midnight_when_today_changes(visitor, gateshead):
    url = gateshead.get_absolute_url()
    evening = datetime.datetime(2031, 3, 3, 23, 59, 50, tzinfo=datetime.UTC)
    with time_machine.travel(evening, tick=False) as clock:
        visitor.get(url)
        assert visitor.get(url)["X-Page-Cache"] == "hit"
        clock.shift(datetime.timedelta(seconds=20))
        assert visitor.get(url)["X-Page-Cache"] == "miss"
        assert visitor.get(url)["X-Page-Cache"] == "hit"


def test_signed_in_staff_neither_see_nor_fill_the_public_cache(
    visitor, staff, gateshead
):
    url = gateshead.get_absolute_url()
    staff_page = staff.get(url)
    assert "X-Page-Cache" not in staff_page
    assert visitor.get(url)["X-Page-Cache"] == "miss"

    visitor.get(url)
    assert "X-Page-Cache" not in staff.get(url)


def test_previews_are_never_cached(visitor, staff, gateshead):
    section = SectionFactory(council=gateshead, published=False, body="Draft words")
    url = section.get_preview_url()

    for _ in range(2):
        preview = staff.get(url)
        assert "Draft words" in preview.text
        assert "X-Page-Cache" not in preview
    assert visitor.get(url).status_code == 404
    assert visitor.get(url).status_code == 404


def test_error_pages_and_posts_are_never_cached(visitor, gateshead):
    missing = reverse("councils:council-detail", args=["nowhere"])
    bad_filter = reverse("tenders:tender-list") + "?council=nowhere"
    responses = [
        visitor.get(missing),
        visitor.get(missing),
        visitor.get(bad_filter),
        visitor.get(bad_filter),
        visitor.post(gateshead.get_absolute_url()),
    ]

    assert [r.status_code for r in responses] == [404, 404, 400, 400, 405]
    assert not [r for r in responses if "X-Page-Cache" in r]


def test_rate_limits_still_count_cached_pages(
    visitor, gateshead, settings, one_rate_limit_window
):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "search": {**settings.RATE_LIMITS["search"], "limit": 2},
    }
    url = reverse("tenders:tender-list")
    assert visitor.get(url).status_code == 200
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    refused = visitor.get(url)

    assert refused.status_code == 429
    assert "X-Page-Cache" not in refused


def test_the_health_check_is_never_cached(visitor):
    response = visitor.get(reverse("healthz"))
    assert "X-Page-Cache" not in response
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "name",
    [
        "tenders:tender-list-csv",
        "tenders:tender-list-json",
        "tenders:tender-list-ocds",
        "tenders:tender-feed",
        "tenders:arrangement-list-csv",
        "councils:change-feed",
        "providers:service-list-json",
    ],
)
def test_feeds_and_downloads_answer_304_until_the_content_changes(
    visitor, gateshead, name
):
    TenderFactory(council=gateshead, is_demo=False)
    url = reverse(name)
    first = visitor.get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]

    assert visitor.get(url, headers={"If-None-Match": etag}).status_code == 304
    unchanged = visitor.get(url, headers={"If-Modified-Since": last_modified})
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == etag

    TenderFactory(council=gateshead, title="A new opportunity", is_demo=False)

    changed = visitor.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("name", ["tenders:tender-feed", "councils:change-feed"])
def test_feeds_come_from_the_cache_with_their_validators_until_a_change(
    visitor, staff, gateshead, name
):
    TenderFactory(council=gateshead, title="Respite at home", is_demo=False)
    url = reverse(name)
    first = visitor.get(url)
    assert first["X-Page-Cache"] == "miss"
    again = visitor.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]
    assert visitor.get(url, headers={"If-None-Match": again["ETag"]}).status_code == 304
    # Staff neither see nor fill it.
    assert "X-Page-Cache" not in staff.get(url)

    TenderFactory(council=gateshead, title="Night sitting service", is_demo=False)

    changed = visitor.get(url)
    assert changed["X-Page-Cache"] == "miss"
    assert changed["ETag"] != first["ETag"]
    if name == "tenders:tender-feed":
        assert b"Night sitting service" in changed.content


def test_streamed_downloads_are_never_stored_whole(visitor, gateshead):
    TenderFactory(council=gateshead, is_demo=False)
    url = reverse("tenders:tender-list-csv") + "?council=gateshead"
    visitor.get(url)
    again = visitor.get(url)
    assert again.streaming
    assert "X-Page-Cache" not in again


def test_a_download_with_other_filters_has_another_etag(visitor, gateshead):
    TenderFactory(council=gateshead)
    url = reverse("tenders:tender-list-csv")
    everything = visitor.get(url)["ETag"]
    filtered = visitor.get(url + "?council=gateshead")
    assert filtered["ETag"] != everything
    assert (
        visitor.get(url, headers={"If-None-Match": filtered["ETag"]}).status_code == 200
    )


def test_staff_downloads_carry_no_shared_validators(staff, gateshead):
    TenderFactory(council=gateshead)
    assert "ETag" not in staff.get(reverse("tenders:tender-list-csv"))


def test_the_expire_command_refreshes_pages_after_a_change_made_outside(
    visitor, gateshead
):
    url = gateshead.get_absolute_url()
    visitor.get(url)
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    call_command("expire_cached_pages", stdout=io.StringIO())

    assert visitor.get(url)["X-Page-Cache"] == "miss"


def test_a_page_stored_by_other_code_is_not_served(visitor, gateshead, monkeypatch):
    # Instances running other code (a rolling deploy) share the cache: each
    # serves only the pages its own code rendered.
    url = gateshead.get_absolute_url()
    assert visitor.get(url)["X-Page-Cache"] == "miss"
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    monkeypatch.setattr(mps_portal.pagecache, "code_version", lambda: "other-code")

    assert visitor.get(url)["X-Page-Cache"] == "miss"
    assert visitor.get(url)["X-Page-Cache"] == "hit"
