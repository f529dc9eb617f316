"""The admin site with a second factor for staff: TOTP apps and recovery codes.

Portal administrators (superusers) must use a second factor; a commissioner may set
one up from the admin's "Two-factor authentication" link, after which the admin
asks for it at every sign-in. A superuser signing in with a password only is sent to
the set-up page and can do nothing else until they have confirmed an app.
"""

from base64 import b32encode

import segno
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10


def second_factor_required(user) -> bool:
    """Superusers always; anyone else once they have set up an app."""
    return user.is_superuser or user_has_device(user)


class TwoFactorLoginForm(AdminAuthenticationForm):
    """The admin's sign-in form with one box for an app's code or a recovery code."""

    otp_token = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
        help_text="Leave empty if you have not set up two-factor authentication.",
    )

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        if user is None or not user_has_device(user):
            return cleaned_data
        token = cleaned_data.get("otp_token", "").strip().replace(" ", "")
        if not token:
            raise forms.ValidationError(
                "Enter the code from your authenticator app, or a recovery code.",
                code="token_required",
            )
        device = self._verified_device(user, token)
        if device is None:
            raise forms.ValidationError(
                "That code is wrong or has been used. Enter the current code from "
                "your authenticator app, or an unused recovery code.",
                code="invalid_token",
            )
        # django-otp's user_logged_in handler stores this device in the session.
        user.otp_device = device
        return cleaned_data

    @staticmethod
    def _verified_device(user, token):
        # Six digits is an app's code, anything else a recovery code: only the
        # device the code is for counts a failure towards its throttling.
        kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        for device in devices_for_user(user, for_verify=True):
            if isinstance(device, kind) and device.verify_token(token):
                return device
        return None


class PortalAdminSite(admin.AdminSite):
    site_header = "North East MPS Portal: council staff"
    site_title = "MPS Portal admin"
    index_title = "Your council's Market Position Statement"
    login_form = TwoFactorLoginForm
    login_template = "admin/portal_login.html"

    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and (
            user.is_verified() or not second_factor_required(user)
        )

    def login(self, request, extra_context=None):
        user = request.user
        # Signed in with a password, but a second factor is still to be set up.
        if (
            user.is_active
            and user.is_staff
            and user.is_superuser
            and not user_has_device(user)
        ):
            return redirect("admin:two-factor-setup")
        return super().login(request, extra_context)

    def get_urls(self):
        return [
            path(
                "two-factor/",
                self.staff_view(self.two_factor_setup),
                name="two-factor-setup",
            ),
            *super().get_urls(),
        ]

    def staff_view(self, view):
        """Signed-in staff, whether or not their second factor is verified yet."""

        def wrapped(request, *args, **kwargs):
            if not (request.user.is_active and request.user.is_staff):
                raise PermissionDenied
            # A verified second factor may only be replaced from a verified session.
            if user_has_device(request.user) and not request.user.is_verified():
                return redirect("admin:login")
            return view(request, *args, **kwargs)

        return never_cache(login_required(wrapped, login_url="admin:login"))

    def two_factor_setup(self, request):
        """Set up an authenticator app: scan, confirm a code, get recovery codes."""
        user = request.user
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name="Authenticator app", confirmed=False
            )
        error = None
        if request.method == "POST":
            if device.verify_token(request.POST.get("otp_token", "").strip()):
                codes = confirm_two_factor(user=user, device=device)
                otp_login(request, device)
                return TemplateResponse(
                    request,
                    "admin/two_factor_recovery_codes.html",
                    {**self.each_context(request), "codes": codes},
                )
            error = "That code is wrong. Enter the 6-digit code your app shows now."
        qr = segno.make(device.config_url, error="m")
        context = {
            **self.each_context(request),
            "title": "Set up two-factor authentication",
            "qr_svg": mark_safe(  # noqa: S308 - segno's own SVG of our own URL
                qr.svg_inline(scale=4, title="QR code for your authenticator app")
            ),
            "secret": b32encode(device.bin_key).decode(),
            "error": error,
            "has_device": user_has_device(user),
            "required": user.is_superuser,
        }
        return TemplateResponse(request, "admin/two_factor_setup.html", context)


def confirm_two_factor(*, user, device: TOTPDevice) -> list[str]:
    """Make ``device`` the user's only app and issue new recovery codes."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=recovery, token=code) for code in codes
    )
    return codes
