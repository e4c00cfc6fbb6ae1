"""Production settings, run as production runs them: a separate process with DJANGO_ENV=production."""

import json
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from tests.conftest import ROOT, test_database_env


def production_env() -> dict[str, str]:
    env = test_database_env()  # DATABASE_URL / REDIS_URL of the test services
    env.pop("DEBUG", None)
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="test-only-" + Fernet.generate_key().decode() * 2,
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        HASH_KEY="test-only-hash-key",
        ALLOWED_HOSTS="localhost,.localhost",
    )
    return env


def run_in_production(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=production_env(),
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


# The Django test client in a production process: what a browser would get back, headers included.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="localhost")
page = client.get("/admin/login/", secure=True)
plain = client.get("/admin/login/")
health = client.get("/healthz")
print(json.dumps({
    "page": page.status_code,
    "hsts": page.headers.get("Strict-Transport-Security"),
    "csp": page.headers.get("Content-Security-Policy"),
    "csrf_cookie": {"secure": bool(page.cookies["csrftoken"]["secure"])},
    "plain": [plain.status_code, plain.headers.get("Location")],
    "health": health.status_code,
    "session_cookie": {"secure": settings.SESSION_COOKIE_SECURE, "httponly": settings.SESSION_COOKIE_HTTPONLY},
    "debug": settings.DEBUG,
}))
"""


@pytest.fixture(scope="module")
def probe(django_db_setup):
    result = run_in_production("-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_no_issues_in_production_settings(django_db_setup):
    result = run_in_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_runs_without_debug(probe):
    assert probe["debug"] is False


def test_production_pages_carry_hsts_for_a_year_with_subdomains(probe):
    assert probe["page"] == 200
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_production_cookies_are_https_only(probe):
    assert probe["csrf_cookie"]["secure"] is True
    assert probe["session_cookie"] == {"secure": True, "httponly": True}


def test_production_redirects_plain_http_to_https(probe):
    status, location = probe["plain"]
    assert status == 301 and location == "https://localhost/admin/login/"


def test_production_healthz_answers_on_plain_http_for_probes(probe):
    assert probe["health"] == 200


def test_production_pages_carry_a_content_security_policy(probe):
    assert "frame-ancestors 'none'" in probe["csp"]


def test_production_refuses_to_start_without_its_secrets(django_db_setup):
    env = production_env()
    del env["ENCRYPTION_KEYS"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ENCRYPTION_KEYS must be set in production" in result.stderr
