"""Alert subscriptions in the admin: superusers only (addresses are personal data),
read-only, with deliveries an interrupted run left unconfirmed shown and
releasable."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from councils.alerts.models import Delivery, Subscriber, Subscription
from tests.conftest import login_with_second_factor
from tests.factories import TenderFactory

from .conftest import run_worker
from .helpers import subscribed

pytestmark = pytest.mark.django_db
ADDRESS = "provider@example.com"


def changelist(model):
    return reverse(f"admin:councils_{model._meta.model_name}_changelist")


def test_superusers_see_subscriptions_read_only(
    admin_client_verified, client, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    subscription = Subscription.objects.get()

    for model in (Subscriber, Subscription):
        page = admin_client_verified.get(changelist(model))
        assert page.status_code == 200
        assert ADDRESS in page.text
    change = reverse("admin:councils_subscription_change", args=[subscription.pk])
    page = admin_client_verified.get(change)
    assert page.status_code == 200
    assert 'type="submit"' not in page.text.split('id="subscription_form"')[-1]
    admin_client_verified.post(change, {"frequency": "weekly"})
    subscription.refresh_from_db()
    assert subscription.frequency == "daily"


@pytest.mark.parametrize("model", [Subscriber, Subscription, Delivery])
def test_council_commissioners_never_see_addresses(gateshead_client, model):
    assert gateshead_client.get(changelist(model)).status_code == 403
    index = gateshead_client.get(reverse("admin:index"))
    assert "alert subscri" not in index.text.lower()


def test_an_unconfirmed_delivery_is_shown_and_can_be_released(
    client, portal_admin, inbox, clock, gateshead
):
    subscribed(client, inbox, "?council=gateshead", address=ADDRESS)
    clock.shift(timedelta(hours=2))
    TenderFactory(council=gateshead)
    clock.move_to("2025-03-06 06:00Z")
    inbox.drop_after_data = {ADDRESS}
    call_command("send_alerts", "daily", stdout=io.StringIO(), stderr=io.StringIO())
    run_worker()
    admin_client_verified = Client()
    login_with_second_factor(admin_client_verified, portal_admin)

    page = admin_client_verified.get(changelist(Delivery), {"status": "sending"})
    assert "daily:2025-03-05" in page.text
    assert "Sending, or interrupted while sending" in page.text
    delivery = Delivery.objects.get()
    delete = reverse("admin:councils_delivery_delete", args=[delivery.pk])
    assert admin_client_verified.post(delete, {"post": "yes"}).status_code == 302

    inbox.drop_after_data = set()
    call_command("send_alerts", "daily", stdout=io.StringIO(), stderr=io.StringIO())
    run_worker()
    assert len(inbox.to(ADDRESS)) == 2  # sent again, as the admin asked
    assert Delivery.objects.get().status == Delivery.Status.SENT
