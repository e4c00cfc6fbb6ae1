from django.test import Client


def test_healthz_reports_database_and_broker_ok_on_the_public_host(db):
    response = Client(HTTP_HOST="localhost").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_on_a_clinic_host_too(alpha):
    response = Client(HTTP_HOST="alpha.localhost").get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_answers_on_an_unknown_host(db):
    assert Client(HTTP_HOST="10.0.0.7").get("/healthz").status_code == 200


def test_healthz_is_503_and_names_the_broker_when_redis_is_down(db, settings, tmp_path):
    settings.REDIS_URL = f"unix://{tmp_path}/nothing-listens-here.sock"
    response = Client(HTTP_HOST="localhost").get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "broker": "down"}
