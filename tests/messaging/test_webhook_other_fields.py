"""Changes on fields other than `messages` are acknowledged and stored nowhere."""

import logging

import pytest
from django.db import connection

from clinics.frontdesk.models import Patient
from messaging.models import Message, WebhookEvent
from tests.messaging.messaging_factories import fixture_files, post_webhook

FIELDS = [path for path in fixture_files() if path.stem.startswith("field_")]


def test_there_are_other_field_fixtures_to_test():
    assert len(FIELDS) >= 5


@pytest.mark.parametrize("path", FIELDS, ids=lambda p: p.stem)
def test_a_change_on_another_field_is_acknowledged_and_stores_nothing(path, alpha, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        assert post_webhook(path.read_bytes()).status_code == 200

    connection.set_tenant(alpha)
    assert queued == []
    assert not WebhookEvent.objects.exists() and not Message.objects.exists() and not Patient.objects.exists()


def test_the_messages_change_beside_other_fields_in_one_body_is_still_stored(alpha):
    body = next(p for p in fixture_files() if p.stem == "several_entries_and_changes").read_bytes()

    assert post_webhook(body).status_code == 200

    connection.set_tenant(alpha)
    assert WebhookEvent.objects.filter(kind=WebhookEvent.Kind.MESSAGE).count() == 2
    assert WebhookEvent.objects.filter(kind=WebhookEvent.Kind.STATUS).count() == 1


def test_metas_errors_on_a_change_are_logged_by_code_without_content(alpha, caplog):
    body = next(p for p in fixture_files() if p.stem == "value_errors_only").read_bytes()

    with caplog.at_level(logging.WARNING, logger="messaging.views"):
        assert post_webhook(body).status_code == 200

    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Meta error 131052" in logged and "download" not in logged
