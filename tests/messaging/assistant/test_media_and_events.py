"""Photos, documents, videos, voice messages, stickers, catalogue orders and Meta's request_welcome, through the
real pipeline (signed webhook, processing task, assistant): what the patient hears and what staff are asked to do."""

import pytest
from django.db import connection
from django.utils import timezone

from clinics.frontdesk.models import Patient
from messaging.assistant.texts import TEXTS
from messaging.models import Conversation, Message
from privacy.services import collection_notice
from tests.messaging.messaging_factories import envelope, post_webhook

WA_ID = "85291234567"
LANGUAGES = pytest.mark.parametrize("language", ["zh-Hant-HK", "en"])


@pytest.fixture
def deliver(alpha, graph_standin, eager_tasks, django_capture_on_commit_callbacks):
    """POST one message of the patient to alpha's webhook and run what it queued; the texts of the replies."""
    numbers = iter(range(1, 1000))

    def deliver(fields: dict) -> list[str]:
        connection.set_tenant(alpha)
        before = Message.objects.filter(direction="out").count()
        stamp = str(int(timezone.now().timestamp()))
        message = {"from": WA_ID, "id": f"wamid.MEDIA{next(numbers)}", "timestamp": stamp, **fields}
        connection.set_schema_to_public()
        with django_capture_on_commit_callbacks(execute=True):
            assert post_webhook(envelope(messages=[message])).status_code == 200
        connection.set_tenant(alpha)
        return list(Message.objects.filter(direction="out").order_by("pk").values_list("text", flat=True)[before:])

    return deliver


@pytest.fixture
def patient(alpha):
    """A patient who has heard the collection notice, in the language the test gives."""

    def make(language: str) -> Patient:
        connection.set_tenant(alpha)
        found = Patient.objects.create(wa_id=WA_ID, language=language)
        Conversation.objects.create(patient=found, policy_shown_at=timezone.now(), last_inbound_at=timezone.now())
        return found

    return make


def photo(caption: str = "") -> dict:
    image = {"mime_type": "image/jpeg", "sha256": "x", "id": "1520398476123094"}
    return {"type": "image", "image": image | ({"caption": caption} if caption else {})}


def said(key: str, language: str) -> str:
    return TEXTS[key][language].format(clinic=connection.tenant.name_for(language))


def conversation() -> Conversation:
    return Conversation.objects.get(patient__wa_id=WA_ID)


@LANGUAGES
def test_a_photo_without_a_caption_is_acknowledged_and_waits_for_staff_not_urgently(deliver, patient, language):
    patient(language)
    assert deliver(photo()) == [said("attachment_received", language)]
    assert conversation().waiting_for_staff and not conversation().urgent


@pytest.mark.parametrize(
    "message",
    [
        {"type": "document", "document": {"filename": "referral.pdf", "mime_type": "application/pdf", "id": "98761"}},
        {"type": "video", "video": {"mime_type": "video/mp4", "id": "1089237465019283"}},
    ],
    ids=["document", "video"],
)
def test_a_document_or_video_without_a_caption_is_acknowledged_too(deliver, patient, message):
    patient("en")
    assert deliver(message) == [said("attachment_received", "en")]
    assert conversation().waiting_for_staff


@LANGUAGES
def test_a_voice_message_asks_the_patient_to_type_and_is_handed_to_staff(deliver, patient, language):
    patient(language)
    voice = {"type": "audio", "audio": {"mime_type": "audio/ogg; codecs=opus", "id": "1456789012345678", "voice": True}}
    assert deliver(voice) == [said("voice_received", language)]
    assert conversation().waiting_for_staff and not conversation().urgent


def test_several_photos_in_a_row_are_acknowledged_once(deliver, patient):
    patient("en")
    replies = [deliver(photo()) for _ in range(3)]
    assert replies == [[said("attachment_received", "en")], [], []]


def test_a_typed_question_after_a_photo_is_still_answered_by_the_assistant(deliver, patient):
    patient("zh-Hant-HK")
    deliver(photo())
    [joined] = deliver({"type": "text", "text": {"body": "我想攞籌"}})
    assert "籌號" in joined


def test_a_photo_with_a_caption_is_still_read_as_text(deliver, patient):
    patient("en")
    [reply] = deliver(photo(caption="can I get a queue number?"))
    assert "queue number" in reply and not conversation().waiting_for_staff


def test_a_photo_with_a_caption_the_assistant_cannot_read_goes_to_staff_instead_of_sorry(deliver, patient):
    patient("en")
    assert deliver(photo(caption="here you go")) == [said("attachment_received", "en")]


def test_a_sticker_that_opens_the_chat_gets_the_greeting_menu(deliver, patient):
    patient("en")
    [greeting] = deliver({"type": "sticker", "sticker": {"mime_type": "image/webp", "id": "765432109876543"}})
    assert greeting == said("greeting", "en")
    assert not conversation().waiting_for_staff


def test_a_sticker_right_after_a_reply_gets_nothing(deliver, patient):
    patient("en")
    deliver({"type": "text", "text": {"body": "thanks"}})
    assert deliver({"type": "sticker", "sticker": {"mime_type": "image/webp", "id": "765432109876543"}}) == []


@LANGUAGES
def test_a_catalogue_order_is_answered_and_handed_to_staff(deliver, patient, language):
    patient(language)
    item = {"product_retailer_id": "FLU-VACCINE-2025", "quantity": 1, "item_price": 280, "currency": "HKD"}
    order = {"type": "order", "order": {"catalog_id": "1184730692204433", "product_items": [item]}}
    assert deliver(order) == [said("order_received", language)]
    assert conversation().waiting_for_staff and "order" in conversation().urgent_reason


def test_request_welcome_greets_a_new_patient_after_the_collection_notice(deliver):
    replies = deliver({"type": "request_welcome"})
    assert replies == [collection_notice(language="zh-Hant-HK"), said("greeting", "zh-Hant-HK")]


def test_request_welcome_while_waiting_for_staff_says_nothing(deliver, patient):
    patient("en")
    deliver({"type": "text", "text": {"body": "I want to talk to a person"}})
    assert deliver({"type": "request_welcome"}) == []
