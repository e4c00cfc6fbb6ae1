"""Our staff see every clinic, so the operator admin asks for a password AND an authenticator code."""

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartclinic.otp import current_code, enrol
from tests.conftest import PASSWORD, admin_login, clinic_client


@pytest.fixture
def ops_user(db):
    return get_user_model().objects.create_superuser("ops2", "ops2@smartclinic.test", PASSWORD)


def operator_host() -> Client:
    return Client(HTTP_HOST=settings.BASE_DOMAIN)


def test_operator_with_password_and_current_code_reaches_the_operator_admin(ops_user):
    client = operator_host()
    assert admin_login(client, "ops2", otp_token=current_code(enrol(user=ops_user)))
    response = client.get("/admin/clinics/clinic/")
    assert response.status_code == 200
    assert "alpha" in response.content.decode()


def test_operator_password_without_a_code_is_refused(ops_user):
    enrol(user=ops_user)
    client = operator_host()
    assert not admin_login(client, "ops2")
    assert client.get("/admin/clinics/clinic/").status_code == 302


def test_operator_wrong_code_is_refused(ops_user):
    device = enrol(user=ops_user)
    wrong = f"{(int(current_code(device)) + 500000) % 1000000:06d}"
    assert not admin_login(operator_host(), "ops2", otp_token=wrong)


def test_login_page_asks_for_the_authenticator_code(db):
    response = operator_host().get("/admin/login/")
    assert response.status_code == 200
    assert 'name="otp_token"' in response.content.decode()


def test_a_password_only_session_does_not_open_the_operator_admin(ops_user):
    # A session made without the second factor (e.g. a future password-only login path) is not enough.
    client = operator_host()
    client.force_login(ops_user)
    response = client.get("/admin/clinics/clinic/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_code_cannot_be_replayed(ops_user):
    device = enrol(user=ops_user)
    code = current_code(device)
    assert admin_login(operator_host(), "ops2", otp_token=code)
    assert not admin_login(operator_host(), "ops2", otp_token=code)


def test_a_wrong_code_holds_off_even_the_right_code_for_a_while(ops_user):
    # django-otp backs off exponentially after each wrong code, so 10^6 codes cannot be tried.
    device = enrol(user=ops_user)
    assert not admin_login(operator_host(), "ops2", otp_token="000000")
    assert not admin_login(operator_host(), "ops2", otp_token=current_code(device))
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_an_operator_without_an_authenticator_cannot_sign_in(ops_user):
    client = operator_host()
    assert not admin_login(client, "ops2", otp_token="123456")


def test_another_operators_code_does_not_open_this_account(ops_user):
    other = get_user_model().objects.create_superuser("ops3", "ops3@smartclinic.test", PASSWORD)
    enrol(user=ops_user)
    assert not admin_login(operator_host(), "ops2", otp_token=current_code(enrol(user=other)))


def test_clinic_staff_sign_in_with_a_password_only(alpha):
    client = clinic_client("alpha")
    assert admin_login(client, "manager@alpha.test")
    assert client.get("/admin/").status_code == 200


def test_operator_totp_command_prints_an_otpauth_uri_and_replaces_the_old_key(ops_user):
    old = enrol(user=ops_user)
    out = io.StringIO()
    call_command("operator_totp", "ops2", stdout=out)
    device = TOTPDevice.objects.get(user=ops_user)
    assert device.pk != old.pk
    assert device.config_url in out.getvalue()
    assert out.getvalue().count("otpauth://totp/SmartClinic%3Aops2?secret=") == 1


def test_operator_totp_command_prints_the_current_code_for_development(ops_user):
    device = enrol(user=ops_user)
    out = io.StringIO()
    call_command("operator_totp", "ops2", "--code", stdout=out)
    assert out.getvalue().strip() == current_code(device)
