from django.urls import reverse

from .conftest import link_to, run_worker


def subscribed(client, inbox, query, *, source="tenders", frequency="daily", address):
    """Subscribe as a person would: the form, the email, the confirm button."""
    response = client.post(
        reverse("alerts:subscribe", args=[source]) + query,
        {"email": address, "frequency": frequency},
    )
    assert response.status_code == 302, response.text
    run_worker()
    [message] = inbox.to(address)
    assert client.post(link_to(message, "/alerts/confirm/")).status_code == 200
    inbox.clear()
