"""django-axes: five wrong passwords lock an admin login, even against the right password afterwards.

The operator's and each clinic's attempt records live in their own schema, so one lockout
never locks another site.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from smartclinic.otp import current_code, enrol
from tests.conftest import PASSWORD, admin_login, clinic_client

WRONG = "not-the-password"


def fail_five_times(client: Client, username: str) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        assert not admin_login(client, username, password=WRONG)


def make_operator():
    user = get_user_model().objects.create_superuser("ops4", "ops4@smartclinic.test", PASSWORD)
    return enrol(user=user)


def test_five_bad_passwords_lock_out_a_clinic_manager_even_with_the_right_password(alpha):
    fail_five_times(clinic_client("alpha"), "manager@alpha.test")
    client = clinic_client("alpha")
    response = client.post("/admin/login/", {"username": "manager@alpha.test", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_five_bad_passwords_lock_out_an_operator_even_with_the_right_password_and_code(db):
    device = make_operator()
    fail_five_times(Client(HTTP_HOST=settings.BASE_DOMAIN), "ops4")
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    assert not admin_login(client, "ops4", otp_token=current_code(device))
    assert client.get("/admin/").status_code == 302


def test_four_bad_passwords_do_not_lock_out(alpha):
    for _ in range(4):
        assert not admin_login(clinic_client("alpha"), "manager@alpha.test", password=WRONG)
    assert admin_login(clinic_client("alpha"), "manager@alpha.test")


def test_an_operator_lockout_does_not_lock_the_clinic_admins(alpha):
    make_operator()
    fail_five_times(Client(HTTP_HOST=settings.BASE_DOMAIN), "ops4")
    assert admin_login(clinic_client("alpha"), "manager@alpha.test")


def test_a_clinic_lockout_locks_neither_the_operator_nor_another_clinic(alpha, beta):
    device = make_operator()
    fail_five_times(clinic_client("alpha"), "manager@alpha.test")
    assert not admin_login(clinic_client("alpha"), "manager@alpha.test")
    assert admin_login(clinic_client("beta"), "manager@beta.test")
    assert admin_login(Client(HTTP_HOST=settings.BASE_DOMAIN), "ops4", otp_token=current_code(device))
