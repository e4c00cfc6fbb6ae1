"""Factories and helpers for the messaging tests: signed webhook posts, patients, conversations."""

import hashlib
import hmac
import json
from pathlib import Path

import factory
from django.conf import settings
from django.test import Client
from django.utils import timezone

from clinics.frontdesk.models import Patient
from messaging.models import Conversation, Message

# Meta's sample bodies: our copy, plus any the team adds to ../shared (read there when present).
FIXTURE_DIRS = (
    Path(__file__).resolve().parent / "fixtures" / "whatsapp",
    Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "whatsapp",
)
ALPHA_NUMBER = "106540352242922"
BETA_NUMBER = "106540352242999"


def fixture_files() -> list[Path]:
    files = {path.name: path for folder in FIXTURE_DIRS if folder.is_dir() for path in folder.glob("*.json")}
    return [files[name] for name in sorted(files)]


def sign(body: bytes, secret: str | None = None) -> str:
    secret = settings.WHATSAPP_APP_SECRET if secret is None else secret
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_webhook(body: bytes | dict, *, signature: str | None = None, client: Client | None = None):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    headers = {} if signature == "" else {"HTTP_X_HUB_SIGNATURE_256": signature or sign(body)}
    client = client or Client(HTTP_HOST=settings.BASE_DOMAIN)
    return client.post("/webhooks/whatsapp", data=body, content_type="application/json", **headers)


def envelope(
    *, messages=(), statuses=(), phone_number_id=ALPHA_NUMBER, name="Chan Tai Man", wa_id="85291234567"
) -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "85230012345", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


def text_message(body: str, *, wamid: str = "wamid.TEST1", wa_id: str = "85291234567") -> dict:
    return {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(int(timezone.now().timestamp())),
        "type": "text",
        "text": {"body": body},
    }


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        django_get_or_create = ("wa_id",)

    wa_id = factory.Sequence(lambda n: f"8529{n:07d}")
    name = "Chan Tai Man"
    language = "en"


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    patient = factory.SubFactory(PatientFactory)
    phone_number_id = ALPHA_NUMBER
    last_inbound_at = factory.LazyFunction(timezone.now)


class OutboundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    direction = Message.Direction.OUT
    kind = Message.Kind.TEXT
    text = "Hello"
    payload = factory.LazyAttribute(lambda o: {"type": "text", "text": {"body": o.text, "preview_url": False}})
    status = Message.Status.QUEUED
