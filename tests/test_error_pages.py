"""Errors show a GOV.UK-styled page, never a traceback."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from mps_portal.urls import urlpatterns as portal_urls


def broken_view(request):
    raise RuntimeError("database exploded: SELECT secret FROM passwords")


urlpatterns = [*portal_urls, path("broken/", broken_view)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_shows_a_friendly_page_without_details():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "secret" not in response.text
    assert "Traceback" not in response.text


@pytest.mark.django_db
def test_csrf_failure_explains_what_to_do(gateshead_commissioner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(gateshead_commissioner)
    response = client.post("/admin/councils/section/add/", {"body": "x"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.text


@pytest.mark.django_db
def test_bad_request_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Traceback" not in response.text
