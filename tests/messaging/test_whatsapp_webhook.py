"""The webhook's door: signatures, envelopes, routing by number, and a fast ack."""

import json
import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from messaging.models import Message, WebhookEvent
from tests.messaging.messaging_factories import (
    ALPHA_NUMBER,
    BETA_NUMBER,
    envelope,
    fixture_files,
    post_webhook,
    sign,
    text_message,
)

TEXT_EN = next(p for p in fixture_files() if p.stem == "text_en").read_bytes()


def _stored(clinic) -> int:
    connection.set_tenant(clinic)
    count = WebhookEvent.objects.count()
    connection.set_schema_to_public()
    return count


def test_meta_verification_echoes_the_challenge_with_the_right_token(db):
    query = {"hub.mode": "subscribe", "hub.verify_token": settings.WHATSAPP_VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = Client().get("/webhooks/whatsapp", query)
    assert response.status_code == 200 and response.content == b"1158201444"


def test_meta_verification_with_a_wrong_token_is_refused(db):
    query = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    assert Client().get("/webhooks/whatsapp", query).status_code == 403


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=é", "garbage"])
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(alpha, signature):
    response = post_webhook(TEXT_EN, signature=signature)
    assert response.status_code == 403
    assert _stored(alpha) == 0


def test_a_body_signed_with_another_secret_is_refused(alpha):
    assert post_webhook(TEXT_EN, signature=sign(TEXT_EN, "someone-else")).status_code == 403
    assert _stored(alpha) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"whatsapp"',
        b"{}",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account", "entry": {"changes": []}}',
        b"\xff\xfe\x00",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["empty", "text", "list", "string", "no-object", "other-object", "entry-not-a-list", "binary", "deep"],
)
def test_a_signed_body_that_is_not_a_whatsapp_envelope_is_a_bad_request(alpha, body):
    assert post_webhook(body).status_code == 400
    assert _stored(alpha) == 0


def test_an_unknown_number_is_acknowledged_and_logged_without_content(alpha, beta, caplog):
    body = envelope(messages=[text_message("My HKID is A123456(3)")], phone_number_id="999000111222")
    with caplog.at_level(logging.INFO):
        assert post_webhook(body).status_code == 200
    assert _stored(alpha) == 0 and _stored(beta) == 0
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "unknown phone_number_id" in logged
    assert "HKID" not in logged and "999000111222" not in logged and "85291234567" not in logged


def test_events_are_routed_to_the_clinic_that_owns_the_number(alpha, beta):
    assert post_webhook(envelope(messages=[text_message("hi beta")], phone_number_id=BETA_NUMBER)).status_code == 200
    assert (_stored(alpha), _stored(beta)) == (0, 1)


def test_the_ack_stores_the_event_and_leaves_the_assistant_to_the_task(alpha, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        assert post_webhook(TEXT_EN).status_code == 200
    connection.set_tenant(alpha)
    event = WebhookEvent.objects.get()
    assert event.processed_at is None and event.payload["message"]["text"]["body"].startswith("Hi, I'd like")
    assert not Message.objects.exists()  # nothing read, nothing answered before the 200
    assert len(queued) == 1  # one processing task, sent to the broker after commit


def test_a_redelivery_queues_no_second_task(alpha, django_capture_on_commit_callbacks):
    post_webhook(TEXT_EN)
    with django_capture_on_commit_callbacks() as queued:
        assert post_webhook(TEXT_EN).status_code == 200
    assert queued == [] and _stored(alpha) == 1


def test_text_postgres_cannot_store_is_cleaned_not_a_server_error(alpha):
    body = json.dumps(envelope(messages=[text_message("nul\u0000 and lone \ud800 surrogate")])).encode()
    assert post_webhook(body).status_code == 200
    connection.set_tenant(alpha)
    assert WebhookEvent.objects.get().payload["message"]["text"]["body"] == "nul and lone ? surrogate"


def test_a_huge_body_is_refused_without_a_server_error(alpha):
    body = json.dumps(envelope(messages=[text_message("x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10))])).encode()
    assert post_webhook(body).status_code == 413
    assert _stored(alpha) == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
wrongly_typed_value = st.fixed_dictionaries(
    {},
    optional={
        "metadata": st.one_of(
            st.just({"phone_number_id": ALPHA_NUMBER}),
            json_values,
            st.fixed_dictionaries({"phone_number_id": json_values}),
        ),
        "contacts": json_values,
        "messages": st.one_of(
            json_values, st.lists(st.dictionaries(st.sampled_from(["id", "from", "type", "text"]), json_values))
        ),
        "statuses": st.one_of(
            json_values, st.lists(st.dictionaries(st.sampled_from(["id", "status", "errors"]), json_values))
        ),
    },
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(wrongly_typed_value, json_values))
def test_any_signed_garbage_inside_an_envelope_never_gets_a_server_error(alpha, value):
    body = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}, value]}, value]}
    assert post_webhook(body).status_code in {200, 400}
