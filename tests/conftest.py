"""Shared test ground: two real clinics (alpha, beta) in the embedded PostgreSQL.

Every test of clinic data should also prove that the other clinic cannot see it.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation

from clinics.models import Clinic

PASSWORD = "correct-horse-battery-staple"
ROOT = Path(__file__).resolve().parent.parent
CLINIC_SPECS = {
    # alpha owns the phone_number_id of ../shared/fixtures/whatsapp.
    "alpha": ("Alpha Clinic", "阿爾法診所", "106540352242922", "+852 3001 2345"),
    "beta": ("Beta Clinic", "貝塔診所", "106540352242999", "+852 3001 6789"),
}


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database, plus alpha and beta with a manager each, kept for the session.

    Always created: pytest-django only creates it when some collected test asks for `db`,
    and a run of `committed_db` tests alone must find it too.
    """
    from django.test.utils import setup_databases, teardown_databases

    from clinics.services import create_clinic

    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=request.config.option.verbose, interactive=False, aliases={"default"})
        for slug, (name_en, name_zh, phone_number_id, display_phone) in CLINIC_SPECS.items():
            create_clinic(
                slug=slug,
                name_en=name_en,
                name_zh=name_zh,
                phone_number_id=phone_number_id,
                display_phone=display_phone,
                manager_email=f"manager@{slug}.test",
                manager_password=PASSWORD,
            )
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _back_to_public():
    """A request through the tenant middleware leaves the connection in that clinic,
    and a page viewed in Chinese leaves the thread's language there: neither may reach the next test."""
    yield
    connection.set_schema_to_public()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def alpha(db) -> Clinic:
    return Clinic.objects.get(slug="alpha")


@pytest.fixture
def beta(db) -> Clinic:
    return Clinic.objects.get(slug="beta")


@pytest.fixture
def in_alpha(alpha):
    """Run the test body inside alpha's schema."""
    connection.set_tenant(alpha)
    yield alpha
    connection.set_schema_to_public()


def in_clinic(clinic: Clinic, work):
    """`work()` in the clinic's schema, then back where we were: to set up or read what a page wrote."""
    from django_tenants.utils import tenant_context

    with tenant_context(clinic):
        return work()


def clinic_client(slug: str) -> Client:
    return Client(HTTP_HOST=f"{slug}.{settings.BASE_DOMAIN}")


def admin_login(client: Client, username: str, password: str = PASSWORD, otp_token: str = "") -> bool:
    """Log in through the admin's own form, as a person would (and as axes watches)."""
    form = {"username": username, "password": password, "otp_token": otp_token, "next": "/admin/"}
    response = client.post("/admin/login/", form)
    connection.set_schema_to_public()
    return response.status_code == 302


@pytest.fixture
def alpha_manager_client(alpha) -> Client:
    client = clinic_client("alpha")
    assert admin_login(client, "manager@alpha.test")
    return client


@pytest.fixture
def operator_client(db) -> Client:
    from django.contrib.auth import get_user_model

    from smartclinic.otp import current_code, enrol

    user = get_user_model().objects.create_superuser("ops", "ops@smartclinic.test", PASSWORD)
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)  # the operator admin asks for the authenticator code too
    assert admin_login(client, "ops", otp_token=current_code(enrol(user=user)))
    return client


def _truncate_clinic_data() -> None:
    """Empty what tests write, in both clinics and public, keeping clinics and accounts."""
    from django.apps import apps

    keep = {"contenttypes", "auth", "sessions", "admin", "clinics", "axes"}
    tenant_tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in keep
        and model._meta.app_label in {a.rsplit(".", 1)[-1] for a in settings.TENANT_APPS}
    ]
    public_tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"privacy"} and not model._meta.proxy  # a proxy's table is another app's
    ]
    with connection.cursor() as cursor:
        for slug in CLINIC_SPECS:
            existing = _existing_tables(cursor, slug)
            tables = [f'"{slug}"."{table}"' for table in tenant_tables if table in existing]
            if tables:
                cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        existing = _existing_tables(cursor, "public")
        tables = [f'"public"."{table}"' for table in public_tables if table in existing]
        if tables:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _existing_tables(cursor, schema: str) -> set[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
    return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Real commits, for tests with threads, worker processes or on_commit hooks.

    Afterwards the clinics' data tables are emptied (alpha, beta and their managers stay).
    """
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        try:
            yield
        finally:
            connection.set_schema_to_public()
            _truncate_clinic_data()


def test_database_env() -> dict[str, str]:
    """Environment for a subprocess (a Celery worker) that must use the test database."""
    db = settings.DATABASES["default"]
    host = db["HOST"]
    url = (
        f"postgresql://{db['USER']}:{db['PASSWORD']}@/{db['NAME']}?host={host}"
        if host.startswith("/")
        else (f"postgresql://{db['USER']}:{db['PASSWORD']}@{host}:{db['PORT'] or 5432}/{db['NAME']}")
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "smartclinic.settings",
    }


test_database_env.__test__ = False  # a helper, not a test


@pytest.fixture
def celery_worker_process(committed_db):
    """A real `celery worker` process on the test database and Redis; yields the Popen."""
    from smartclinic.celery import app

    app.control.purge()
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "smartclinic",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=test_database_env(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if app.control.inspect(timeout=0.5).ping():
            break
        assert process.poll() is None, "the Celery worker exited at start"
    yield process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    app.control.purge()
