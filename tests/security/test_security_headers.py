"""Every admin page is framed by nobody, runs only our own scripts, and keeps its session cookie from scripts."""

import pytest
from django.conf import settings

from tests.conftest import PASSWORD, clinic_client


@pytest.fixture(params=["clinic", "operator"])
def admin_page(request, alpha_manager_client, operator_client):
    client = alpha_manager_client if request.param == "clinic" else operator_client
    return client.get("/admin/")


def test_admin_pages_carry_a_content_security_policy(admin_page):
    assert admin_page.status_code == 200
    policy = admin_page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_admin_pages_refuse_to_be_framed(admin_page):
    assert admin_page.headers["X-Frame-Options"] == "DENY"


def test_admin_pages_forbid_content_sniffing(admin_page):
    assert admin_page.headers["X-Content-Type-Options"] == "nosniff"


def test_login_page_carries_the_same_headers(alpha):
    response = clinic_client("alpha").get("/admin/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response.headers


def test_the_session_cookie_is_out_of_reach_of_scripts(alpha):
    client = clinic_client("alpha")
    response = client.post("/admin/login/", {"username": "manager@alpha.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"] is True


def test_the_operator_session_cookie_is_out_of_reach_of_scripts(operator_client):
    assert operator_client.cookies[settings.SESSION_COOKIE_NAME]["httponly"] is True
