"""When the database cannot be reached: a plain 503 page and a 503 health check."""

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path

from mps_portal.urls import urlpatterns as portal_urls


def database_down(request):
    raise OperationalError(
        "connection to server at 127.0.0.1 failed: Connection refused"
    )


urlpatterns = [*portal_urls, path("down/", database_down)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_lost_database_gets_the_service_unavailable_page():
    response = Client(raise_request_exception=False).get("/down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.text
    assert "Connection refused" not in response.text


@pytest.mark.django_db
def test_health_check_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


@pytest.mark.django_db
def test_health_check_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
