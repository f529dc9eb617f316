"""At most 10 wrong passwords in 5 minutes, per username and per client address."""

import datetime

import pytest
from django.urls import reverse

from tests.accounts.conftest import PASSWORD
from tests.factories import make_commissioner

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def signed_in(response) -> bool:
    return (
        response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session
    )


def test_the_right_password_after_ten_wrong_ones_is_refused(client, commissioner):
    for _ in range(9):
        assert sign_in(client, "gateshead-staff", "wrong").status_code == 200
    # The tenth failure locks the account.
    assert sign_in(client, "gateshead-staff", "wrong").status_code == 429
    response = sign_in(client, "gateshead-staff", PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is locked" in response.text
    assert "_auth_user_id" not in client.session


def test_nine_wrong_passwords_do_not_lock(client, commissioner):
    for _ in range(9):
        sign_in(client, "gateshead-staff", "wrong")
    assert signed_in(sign_in(client, "gateshead-staff", PASSWORD))


def test_username_is_locked_from_every_address(client, commissioner):
    for n in range(10):
        sign_in(client, "gateshead-staff", "wrong", address=f"198.51.100.{n}")
    response = sign_in(client, "gateshead-staff", PASSWORD, address="192.0.2.99")
    assert response.status_code == 429


def test_address_is_locked_for_every_username(client, commissioner):
    for n in range(10):
        sign_in(client, f"guess-{n}", "wrong")
    assert sign_in(client, "gateshead-staff", PASSWORD).status_code == 429


def test_another_user_at_another_address_is_unaffected(client, commissioner, gateshead):
    other = make_commissioner(gateshead, username="colleague")
    other.set_password(PASSWORD)
    other.save()
    for _ in range(11):
        sign_in(client, "gateshead-staff", "wrong")
    assert signed_in(sign_in(client, "colleague", PASSWORD, address="192.0.2.1"))


def test_the_lock_lifts_by_itself(client, commissioner, settings):
    import time

    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=2)
    for _ in range(10):
        sign_in(client, "gateshead-staff", "wrong")
    assert sign_in(client, "gateshead-staff", PASSWORD).status_code == 429
    time.sleep(2.2)
    assert signed_in(sign_in(client, "gateshead-staff", PASSWORD))


def test_failures_during_the_lock_do_not_prolong_it(client, commissioner, settings):
    import time

    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=2)
    for _ in range(10):
        sign_in(client, "gateshead-staff", "wrong")
    time.sleep(1.2)
    sign_in(client, "gateshead-staff", "wrong")
    time.sleep(1.0)
    assert signed_in(sign_in(client, "gateshead-staff", PASSWORD))


def test_behind_one_proxy_the_forwarded_client_address_is_locked(
    client, commissioner, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(10):
        # Whatever the client puts at the left of X-Forwarded-For is ignored.
        sign_in(
            client,
            "someone",
            "wrong",
            address=proxy,
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50",
        )
    locked = sign_in(
        client,
        "gateshead-staff",
        PASSWORD,
        address=proxy,
        HTTP_X_FORWARDED_FOR="5.6.7.8, 203.0.113.50",
    )
    assert locked.status_code == 429
    # Another client behind the same proxy still signs in.
    other = sign_in(
        client,
        "gateshead-staff",
        PASSWORD,
        address=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert signed_in(other)
