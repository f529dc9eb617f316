"""A second factor for staff: required for portal administrators, open to commissioners."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils import clock
from tests.accounts.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def code_for(device, offset_steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, user, code=""):
    return client.post(
        reverse("admin:login") + "?next=" + reverse("admin:index"),
        {"username": user.username, "password": PASSWORD, "otp_token": code},
    )


def set_up_app(client):
    """Go through the set-up page as a person would; returns the app and codes."""
    response = client.get(reverse("admin:two-factor-setup"))
    assert response.status_code == 200
    assert "<svg" in response.text
    device = TOTPDevice.objects.get(user=response.wsgi_request.user, confirmed=False)
    response = client.post(
        reverse("admin:two-factor-setup"), {"otp_token": code_for(device)}
    )
    assert response.status_code == 200
    return device, response.context["codes"]


def test_superuser_with_a_password_only_is_sent_to_set_up_an_app(client, superuser):
    response = sign_in(client, superuser)
    assert response.status_code == 302
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:two-factor-setup")
    assert "must use two-factor authentication" in response.text
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 302


def test_superuser_reaches_the_admin_after_setting_up_an_app(client, superuser):
    sign_in(client, superuser)
    _device, codes = set_up_app(client)
    assert len(codes) == 10
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_a_wrong_code_does_not_confirm_the_app(client, superuser):
    sign_in(client, superuser)
    client.get(reverse("admin:two-factor-setup"))
    response = client.post(reverse("admin:two-factor-setup"), {"otp_token": "000000"})
    assert "That code is wrong" in response.text
    assert not TOTPDevice.objects.filter(user=superuser, confirmed=True).exists()


def test_once_set_up_the_password_alone_is_not_enough(client, superuser):
    sign_in(client, superuser)
    set_up_app(client)
    client.logout()
    response = sign_in(client, superuser)
    assert response.status_code == 200
    assert "Enter the code from your authenticator app" in response.text
    assert "_auth_user_id" not in client.session


def test_the_apps_current_code_signs_in(client, superuser):
    sign_in(client, superuser)
    device, _codes = set_up_app(client)
    client.logout()
    device.refresh_from_db()
    response = sign_in(client, superuser, code_for(device, offset_steps=1))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_recovery_code_signs_in_once(client, superuser):
    sign_in(client, superuser)
    _device, codes = set_up_app(client)
    client.logout()
    assert sign_in(client, superuser, codes[0]).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    assert sign_in(client, superuser, codes[0]).status_code == 200
    assert StaticToken.objects.filter(device__user=superuser).count() == 9


def test_commissioner_without_an_app_signs_in_with_a_password(client, commissioner):
    sign_in(client, commissioner)
    assert client.get(reverse("admin:index")).status_code == 200


def test_commissioner_who_set_up_an_app_must_use_it(client, commissioner):
    sign_in(client, commissioner)
    set_up_app(client)
    client.logout()
    assert sign_in(client, commissioner).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_links_to_the_set_up_page(client, commissioner):
    sign_in(client, commissioner)
    response = client.get(reverse("admin:index"))
    assert reverse("admin:two-factor-setup") in response.text


def test_an_idle_session_ends(client, commissioner, settings):
    sign_in(client, commissioner)
    assert client.get(reverse("admin:index")).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    idle = settings.SESSION_IDLE_TIMEOUT_MINUTES
    # Each request renews the session for the idle time, and no more.
    left = session.expire_date - clock.now()
    assert idle * 60 - 60 < left.total_seconds() <= idle * 60
    # Idle past the limit: the session has expired.
    session.expire_date = clock.now() - timezone.timedelta(seconds=1)
    session.save()
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_admin_is_at_the_path_set_in_the_environment():
    script = "from django.urls import reverse; print(reverse('admin:index'))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=os.environ | {"ADMIN_PATH": "staff-7f3a"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^/staff-7f3a/$", result.stdout, re.MULTILINE)


def test_reset_two_factor_lets_a_user_set_it_up_again(client, superuser):
    from django.core.management import call_command

    sign_in(client, superuser)
    set_up_app(client)
    client.logout()
    call_command("reset_two_factor", "root", verbosity=0)
    sign_in(client, superuser)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:two-factor-setup")
