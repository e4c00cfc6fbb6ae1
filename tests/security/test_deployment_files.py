"""Dockerfile, compose.yaml and deploy.env.example stay honest (no Docker engine here: we read them)."""

import ast
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT
from tests.security.test_deploy_settings import production_env

SECRETS = {
    "SECRET_KEY",
    "ENCRYPTION_KEYS",
    "HASH_KEY",
    "DATABASE_URL",
    "POSTGRES_PASSWORD",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_ACCESS_TOKEN",
}
APP_SERVICES = ("web", "worker", "beat", "migrate")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    lines = (ROOT / "deploy.env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {name: value for name, value in pairs}


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """Dockerfile instructions, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def settings_read_from_the_environment() -> set[str]:
    tree = ast.parse((ROOT / "smartclinic" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if function in {"os.environ.get", "envbool", "envint", "envlist"} and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def test_compose_runs_web_worker_beat_postgres_16_and_redis_7(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["worker"]["command"][:4] == ["celery", "-A", "smartclinic", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "smartclinic", "beat"]


def test_web_runs_under_gunicorn_and_is_checked_through_healthz(compose):
    web = compose["services"]["web"]
    assert web["command"][:2] == ["gunicorn", "smartclinic.wsgi"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


def test_every_service_has_a_healthcheck_except_beat_and_the_one_shot_migration(compose):
    for name, service in compose["services"].items():
        if name not in {"beat", "migrate"}:
            assert "healthcheck" in service, name


def test_app_services_read_deploy_env_in_production_after_the_migration(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == "deploy.env"
        assert service["environment"]["DJANGO_ENV"] == "production"
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_deploy_env_example_names_every_setting_read_from_the_environment(env_example):
    assert settings_read_from_the_environment() - set(env_example) == set()


def test_deploy_env_example_holds_no_secret_values(env_example):
    assert {name: env_example[name] for name in SECRETS} == dict.fromkeys(SECRETS, "")


def test_the_image_is_python_311_slim_and_installs_requirements(dockerfile):
    assert dockerfile[0] == "FROM python:3.11-slim"
    assert "RUN pip install -r requirements.txt" in dockerfile


def test_the_image_runs_as_a_non_root_user(dockerfile):
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}


def test_build_time_secrets_stay_out_of_the_runtime_environment(dockerfile):
    runtime_env = " ".join(line for line in dockerfile if line.startswith(("ENV ", "ARG ")))
    for name in SECRETS | {"REDIS_URL"}:
        assert name not in runtime_env
    assert "DJANGO_ENV=production" in runtime_env


def test_the_images_collectstatic_step_works_with_only_its_build_time_values(dockerfile):
    [step] = [line for line in dockerfile if "collectstatic" in line]
    words = shlex.split(step.removeprefix("RUN "))
    build_env = dict(word.split("=", 1) for word in words if re.fullmatch(r"[A-Z_]+=.*", word))
    command = [word for word in words if "=" not in word]
    assert command[:3] == ["python", "manage.py", "collectstatic"]
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **build_env}  # nothing from the developer's environment
    result = subprocess.run(
        [sys.executable, *command[1:], "--dry-run"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_the_gunicorn_entrypoint_loads_the_production_app(dockerfile, django_db_setup):
    [cmd] = [line for line in dockerfile if line.startswith("CMD ")]
    argv = ast.literal_eval(cmd.removeprefix("CMD "))
    assert argv[:2] == ["gunicorn", "smartclinic.wsgi"]
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    result = subprocess.run(
        [gunicorn, "--check-config", *argv[1:]],
        check=False,
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_local_data_and_secrets_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".data", "deploy.env", "staticfiles"} <= ignored
