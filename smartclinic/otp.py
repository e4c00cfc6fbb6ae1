"""Two-factor sign-in for our staff: a TOTP code (authenticator app) on the operator admin.

Each operator has one confirmed TOTP device, enrolled with `manage.py operator_totp <username>`.
Clinic staff sign in with a password only (their admin is a different site on another host).
"""

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.forms import AuthenticationForm
from unfold.widgets import BASE_INPUT_CLASSES

# The demo operator's authenticator key (seed_demo only, which refuses to run in production),
# so a developer enrols it in an authenticator app once and keeps it across fresh databases.
DEMO_TOTP_KEY = "536d617274436c696e69632d64656d6f2d6f6e6c79"  # noqa: S105 - development only


class OperatorLoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Username, password and the 6-digit code, on one page."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": " ".join(BASE_INPUT_CLASSES),
            }
        ),
    )
    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("Enter the 6-digit code from your authenticator app."),
        device_required=_("This account has no authenticator yet: ask for `manage.py operator_totp` to enrol one."),
    )

    def clean(self):
        self.cleaned_data = super().clean()
        self.clean_otp(self.get_user())
        return self.cleaned_data

    def _update_form(self, user):
        pass  # django-otp would echo the password back into the page after a wrong code; we do not

    def _chosen_device(self, user):
        # Operators have one authenticator each: no device picker between password and code.
        return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def enrol(*, user: AbstractBaseUser, key: str | None = None) -> TOTPDevice:
    """Replace the user's authenticator with a new one (a lost phone revokes the old key)."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, name="authenticator", confirmed=True)
    if key:
        device.key = key
    device.save()
    return device


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows right now (tests and local development)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
