import pytest
from django.db import connection, transaction

from smartclinic.celery import ClinicTask, WrongSchemaError, app


@app.task(base=ClinicTask, name="tests.schema_probe")
def schema_probe():
    return connection.schema_name


@pytest.fixture
def eager(settings):
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_clinic_task_queued_in_alpha_runs_in_alphas_schema(in_alpha, eager):
    result = schema_probe.delay()
    assert result.get() == "alpha"


def test_a_clinic_task_queued_for_beta_from_public_runs_in_beta(beta, eager):
    assert schema_probe.delay_for("beta").get() == "beta"


def test_queueing_clinic_work_from_the_public_schema_raises(db, eager):
    assert connection.schema_name == "public"
    with pytest.raises(WrongSchemaError):
        schema_probe.delay()


def test_delay_on_commit_keeps_the_schema_it_was_queued_in(alpha, beta, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        connection.set_tenant(alpha)
        schema_probe.delay_on_commit()
        connection.set_tenant(beta)  # the connection moves on before commit
    with transaction.atomic():
        connection.set_schema_to_public()
    results = [callback() for callback in callbacks]
    assert results[0].get() == "alpha"
