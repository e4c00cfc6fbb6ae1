"""The operator's patient simulator: signed bodies into our own webhook, replies as WhatsApp shows them."""

import json

from django.conf import settings
from django.db import connection
from django.test import Client

from messaging.models import Message, WebhookEvent
from tests.messaging.messaging_factories import ConversationFactory


def test_the_simulator_needs_our_staff_signed_in(db):
    response = Client(HTTP_HOST=settings.BASE_DOMAIN).get("/simulator/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_simulator_does_not_exist_on_a_clinic_site(alpha_manager_client):
    assert alpha_manager_client.get("/simulator/").status_code == 404


def test_the_simulator_is_gone_when_disabled(operator_client, settings):
    settings.SIMULATOR_ENABLED = False
    assert operator_client.get("/simulator/").status_code == 404


def test_a_line_typed_in_the_simulator_is_a_signed_webhook_event_of_that_clinic(operator_client, alpha, beta):
    assert b"Alpha Clinic" in operator_client.get("/simulator/").content
    body = {"clinic": "alpha", "wa_id": "85291234567", "name": "Chan", "line": "Hello"}
    response = operator_client.post("/simulator/send", json.dumps(body), content_type="application/json")
    assert response.json()["webhook_status"] == 200
    connection.set_tenant(alpha)
    event = WebhookEvent.objects.get()
    assert event.payload["message"]["text"]["body"] == "Hello" and event.payload["contact"]["profile"]["name"] == "Chan"
    connection.set_tenant(beta)
    assert not WebhookEvent.objects.exists()


def test_a_pressed_row_goes_in_as_the_list_reply_whatsapp_sends(operator_client, alpha):
    row = {"id": "book:doctor:1", "title": "Dr Chan", "description": "陳醫生"}
    body = {
        "clinic": "alpha",
        "wa_id": "85291234567",
        "line": "#list:book:doctor:1",
        "choice": {"type": "list_reply", "list_reply": row},
    }
    operator_client.post("/simulator/send", json.dumps(body), content_type="application/json")
    connection.set_tenant(alpha)
    assert WebhookEvent.objects.get().payload["message"]["interactive"] == {"type": "list_reply", "list_reply": row}


def test_replies_are_shown_with_buttons_as_whatsapp_would(operator_client, alpha):
    connection.set_tenant(alpha)
    conversation = ConversationFactory(patient__wa_id="85291234567")
    buttons = {
        "type": "button",
        "body": {"text": "Book?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Yes"}}]},
    }
    Message.objects.create(
        conversation=conversation,
        direction="out",
        kind="interactive",
        payload={"type": "interactive", "interactive": buttons},
    )
    connection.set_schema_to_public()
    data = operator_client.get("/simulator/replies", {"clinic": "alpha", "wa_id": "85291234567"}).json()
    [reply] = data["replies"]
    assert reply["type"] == "buttons" and reply["buttons"] == [{"id": "yes", "title": "Yes"}]
