"""Fixtures for the messaging tests (named, never autouse: tests/messaging/assistant shares this folder)."""

import pytest
from django.core.cache import cache

from smartclinic.celery import app
from smartclinic.standins.graph import GraphStandIn


@pytest.fixture
def graph_standin(settings, tmp_path):
    """Meta's Graph API on localhost; media lands in a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with GraphStandIn() as standin:
        settings.WHATSAPP_GRAPH_URL = standin.url
        yield standin


@pytest.fixture
def eager_tasks():
    cache.clear()  # rate-limit counters of earlier tests
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def deliver(graph_standin, eager_tasks, alpha, django_capture_on_commit_callbacks):
    """Post fixture bodies (by file stem) through the signed webhook with their tasks run; end in alpha's schema."""
    from django.db import connection

    from tests.messaging.messaging_factories import fixture_files, post_webhook

    bodies = {path.stem: path.read_bytes() for path in fixture_files()}

    def deliver(*names: str):
        response = None
        for name in names:
            with django_capture_on_commit_callbacks(execute=True):
                response = post_webhook(bodies[name])
            assert response.status_code == 200
        connection.set_tenant(alpha)
        return response

    return deliver
