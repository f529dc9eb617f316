"""User-entered text reaches pages escaped or sanitised, downloads stay inert, every
POST needs a CSRF token and public pages change nothing."""

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from providers.models import CareService
from tests.factories import (
    ArrangementFactory,
    CareServiceFactory,
    ProviderForumFactory,
    QualityFrameworkFactory,
    TenderFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
LINK = "[click](javascript:alert(1))"
IMAGE = '<img src=x onerror="alert(1)">'
PAYLOAD = f"{SCRIPT}\n\n{LINK}\n\n{IMAGE}"


def assert_inert(html):
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "<img" not in html


def test_forum_how_to_join_is_sanitised_on_the_council_page(client, gateshead):
    ProviderForumFactory(council=gateshead, how_to_join=PAYLOAD)
    response = client.get(gateshead.get_absolute_url())
    assert response.status_code == 200
    assert_inert(response.text)


def test_framework_introduction_and_note_are_sanitised(client, gateshead):
    QualityFrameworkFactory(
        council=gateshead, introduction=PAYLOAD, thresholds_note=PAYLOAD
    )
    response = client.get(
        reverse("quality:council-quality", kwargs={"slug": gateshead.slug})
    )
    assert response.status_code == 200
    assert_inert(response.text)


def test_tender_text_fields_are_escaped_on_every_page(client, gateshead):
    tender = TenderFactory(
        council=gateshead,
        reference="GH-1",
        title=SCRIPT,
        description=PAYLOAD,
        notes=PAYLOAD,
        service_area=SCRIPT,
    )
    for url in [
        tender.get_absolute_url(),
        reverse("tenders:tender-list"),
        gateshead.get_absolute_url(),
        reverse("home"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert" not in response.text, url
        assert "<img src=x" not in response.text, url


def test_tender_feed_escapes_text(client, gateshead):
    TenderFactory(council=gateshead, title=SCRIPT, description=PAYLOAD)
    response = client.get(reverse("tenders:tender-feed"))
    assert response.status_code == 200
    assert b"<script>" not in response.getvalue()


def test_tender_csv_cells_cannot_run_as_formulas(client, gateshead):
    TenderFactory(council=gateshead, title='=HYPERLINK("http://evil","x")')
    response = client.get(reverse("tenders:tender-list-csv"))
    cells = [
        cell
        for row in csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")))
        for cell in row
    ]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_service_csv_cells_cannot_run_as_formulas(client, gateshead):
    CareServiceFactory(council=gateshead, name="@SUM(1+1)", address="+cmd|x")
    response = client.get(reverse("providers:service-list-csv"))
    cells = [
        cell
        for row in csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")))
        for cell in row
    ]
    assert "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


@pytest.mark.parametrize(
    "name", ["tenders:tender-list-csv", "tenders:arrangement-list-csv"]
)
def test_csv_downloads_keep_negative_numbers_as_numbers(client, gateshead, name):
    from decimal import Decimal

    TenderFactory(council=gateshead, title="-5 days", value_min=Decimal("-5000"))
    ArrangementFactory(council=gateshead, name="-5 days")
    response = client.get(reverse(name))
    cells = [
        cell
        for row in csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")))
        for cell in row
    ]
    assert "'-5 days" in cells
    if name == "tenders:tender-list-csv":
        assert "-5000" in cells


def test_json_downloads_are_json_not_html(client, gateshead):
    TenderFactory(council=gateshead, title=SCRIPT)
    CareServiceFactory(council=gateshead, name=SCRIPT)
    for url in [
        reverse("tenders:tender-list-json"),
        reverse("providers:service-list-json"),
    ]:
        response = client.get(url)
        assert response["Content-Type"].startswith("application/json"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert json.loads(response.getvalue()), url


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:tenders_tender_import"),
        reverse("admin:tenders_tender_process_import"),
        reverse("admin:tenders_tender_export"),
        reverse("admin:councils_section_add"),
        reverse("admin:councils_section_changelist"),
        reverse("admin:logout"),
    ],
)
def test_admin_posts_without_a_csrf_token_are_refused(gateshead_commissioner, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(gateshead_commissioner)
    assert client.post(url, {}).status_code == 403


def test_public_pages_refuse_post_and_change_nothing(client, gateshead):
    service = CareServiceFactory(council=gateshead)
    urls = [
        reverse("home"),
        gateshead.get_absolute_url(),
        reverse("tenders:tender-list"),
        reverse("providers:service-list"),
        service.get_absolute_url(),
        reverse("quality:overview"),
    ]
    for url in urls:
        assert client.post(url, {"name": "changed"}).status_code == 405, url
    service.refresh_from_db()
    assert CareService.objects.get().name == service.name


def test_confirming_an_import_by_get_is_refused(gateshead_client):
    response = gateshead_client.get(reverse("admin:tenders_tender_process_import"))
    assert response.status_code == 405
