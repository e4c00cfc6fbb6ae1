"""Every recorded Meta payload goes through the signed webhook and ends in the right rows (Zulip style)."""

import json
import re

import pytest
from django.conf import settings
from django.db import connection

from clinics.frontdesk.models import Patient
from messaging.models import Attachment, Message, WebhookEvent
from smartclinic.crypto import decrypt
from smartclinic.standins.graph import PLACEHOLDER_PNG
from tests.messaging.messaging_factories import OutboundFactory, PatientFactory, fixture_files, post_webhook

# file → the inbound messages it must leave: (kind, text, patient name)
INBOUND = {
    "audio_voice": [("audio", "", "黃美玲")],
    "batch_message_and_status_delivered": [("text", "OK thanks, what time do you close today?", "Chan Tai Man")],
    "batch_two_messages_incl_emoji": [
        ("text", "唔該晒醫生 🙏", "黃美玲"),
        ("text", "😷🤒👍🏽❤️‍🩹 see you tmr 👨‍⚕️", "黃美玲"),
    ],
    "contacts": [("contacts", "Chan Siu Fong", "Chan Tai Man")],
    "document_pdf": [("document", "Lab report from last week", "Chan Tai Man")],
    "image_with_caption": [("image", "This rash appeared yesterday on my arm", "Chan Tai Man")],
    "interactive_button_reply": [("interactive", "Confirm 確認", "Chan Tai Man")],
    "interactive_list_reply": [("interactive", "Fri 3 Jan 15:30", "黃美玲")],
    "location": [("location", "Central MTR Station Exit D", "Chan Tai Man")],
    "reaction": [("reaction", "👍", "黃美玲")],
    "referral_ctwa_ad": [("text", "Hello! Can I get more info on this?", "Ka Ho 🐶")],
    "sticker": [("sticker", "", "Ka Ho 🐶")],
    "template_quick_reply_button": [("button", "改期 Reschedule", "黃美玲")],
    "text_en": [
        ("text", "Hi, I'd like to book a consultation with Dr. Lee on Friday afternoon if possible.", "Chan Tai Man")
    ],
    "text_zh_hant": [("text", "你好，我想預約聽日下晝睇醫生，請問仲有冇位？我個仔發燒咗兩日。", "黃美玲")],
    "unsupported_with_errors": [("unsupported", "", "Ka Ho 🐶")],
    # Shapes Meta documents beyond its samples.
    "audio_not_voice": [("audio", "", "Chan Tai Man")],
    "contacts_several": [("contacts", "Chan Siu Fong, 李美華", "Chan Tai Man")],
    "image_without_caption": [("image", "", "黃美玲")],
    "interactive_nfm_reply_flow": [("interactive", "Sent", "Chan Tai Man")],
    "interactive_without_body_and_value_errors": [("interactive", "", "Chan Tai Man")],
    "location_current_no_name": [("location", "22.2819, 114.1581", "Chan Tai Man")],
    "location_with_url": [("location", "Mong Kok MTR Station", "黃美玲")],
    "order_catalogue": [("order", "Please deliver to my office", "Ka Ho 🐶")],
    "reaction_removed_empty_emoji": [],
    "reaction_removed_without_emoji": [],
    "request_welcome": [("unknown", "", "Ka Ho 🐶")],
    "several_entries_and_changes": [
        ("text", "Can I come at 10am tomorrow?", "Chan Tai Man"),
        ("text", "唔該，我聽日下晝得閒", "黃美玲"),
    ],
    "sticker_animated": [("sticker", "", "Ka Ho 🐶")],
    "system_customer_identity_changed": [("system", "User identity changed", "Ka Ho 🐶")],
    "system_user_changed_number": [
        ("system", "User Chan Tai Man changed from 85291234567 to 85251234567", "Chan Tai Man")
    ],
    "system_user_changed_number_wa_id": [("system", "User 黃美玲 changed from 85261234567 to 85256781234", "黃美玲")],
    "system_user_changed_user_id": [],  # no phone number in it: nobody we know
    "text_frequently_forwarded": [("text", "Is it true the clinic gives free flu jabs this week?", "黃美玲")],
    "text_referred_product": [("text", "How much is this health check package?", "Ka Ho 🐶")],
    "text_reply_to_our_message": [("text", "Yes, 3pm on Friday works for me", "Chan Tai Man")],
    "text_with_identity_and_int_timestamp": [("text", "Hello, is Dr. Lee in today?", "Chan Tai Man")],
    "text_without_contacts": [("text", "我想攞籌", "")],
    "unknown_type_with_errors": [("unknown", "", "Chan Tai Man")],
    "value_errors_only": [],
    "video_forwarded": [("video", "My son's cough tonight", "Chan Tai Man")],
    # Changes on other fields are acknowledged and never become patient messages.
    "field_account_update": [],
    "field_history": [],
    "field_message_template_status_update": [],
    "field_phone_number_quality_update": [],
    "field_smb_message_echoes": [],
    "field_standby_inbound_message": [],
}
# file → the outbound message's status afterwards, with Meta's error code
STATUSES = {
    "batch_message_and_status_delivered": ("delivered", None),
    "status_sent": ("sent", None),
    "status_read": ("read", None),
    "status_failed_131047": ("failed", 131047),
    "status_failed_131026": ("failed", 131026),
    "status_failed_with_error_details": ("failed", 131049),
    "status_delivered_int_timestamps_cbp": ("delivered", None),
    "status_read_with_callback_data": ("read", None),
    "several_entries_and_changes": ("read", None),
    "status_group_recipient": ("delivered", None),
    # Statuses we do not track: our message keeps the status it had.
    "status_deleted": ("sent", None),
    "status_warning": ("sent", None),
    "status_played": ("sent", None),
}
MEDIA = {
    "audio_voice",
    "document_pdf",
    "image_with_caption",
    "sticker",
    "audio_not_voice",
    "image_without_caption",
    "sticker_animated",
    "video_forwarded",
}


def test_every_fixture_file_is_covered_by_an_expectation():
    names = {path.stem for path in fixture_files()}
    assert names and names == set(INBOUND) | set(STATUSES)


def _earlier_rows(body: dict) -> None:
    """What the clinic already had: our reply each status is about, the patient who changes number."""
    for entry in body["entry"]:
        for change in entry["changes"]:
            for status in change["value"].get("statuses", []):
                OutboundFactory(
                    wamid=status["id"],
                    status=Message.Status.SENT,
                    conversation__patient__wa_id=status["recipient_id"],
                )
            for message in change["value"].get("messages", []):
                if message.get("system", {}).get("type") == "user_changed_number":
                    name = re.match(r"User (.+) changed from", message["system"]["body"]).group(1)
                    PatientFactory(wa_id=message["from"], name=name)


def _snapshot():
    return (
        list(Message.objects.order_by("pk").values_list("wamid", "status", "kind", "text", "error_code")),
        list(WebhookEvent.objects.order_by("pk").values_list("key", "processed_at")),
        Attachment.objects.count(),
        Patient.objects.count(),
    )


@pytest.fixture
def delivered(graph_standin, eager_tasks, alpha, django_capture_on_commit_callbacks):
    """POST a fixture file to the webhook and run what it queued, as a worker would."""

    def deliver(raw: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_webhook(raw)
        connection.set_tenant(alpha)
        return response

    return deliver


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_a_fixture_ends_in_the_right_rows_in_alpha_and_nothing_in_beta(path, delivered, alpha, beta):
    raw = path.read_bytes()
    connection.set_tenant(alpha)
    _earlier_rows(json.loads(raw))

    response = delivered(raw)

    assert response.status_code == 200
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
    inbound = Message.objects.filter(direction=Message.Direction.IN).select_related("conversation__patient")
    expected = INBOUND.get(path.stem, [])
    assert [(m.kind, m.text, m.conversation.patient.name) for m in inbound] == expected
    if path.stem in MEDIA:
        attachment = Attachment.objects.get()
        assert attachment.status == Attachment.Status.STORED
        stored = (settings.MEDIA_ROOT / attachment.path).read_bytes()
        assert attachment.path.startswith("alpha/") and stored != PLACEHOLDER_PNG
        assert decrypt(stored) == PLACEHOLDER_PNG
    if path.stem in STATUSES:
        changes = [c for e in json.loads(raw)["entry"] for c in e["changes"]]
        wamids = [s["id"] for c in changes for s in c["value"].get("statuses", [])]
        message = Message.objects.get(wamid=wamids[0])
        assert (message.status, message.error_code) == STATUSES[path.stem]
    connection.set_tenant(beta)
    assert not Message.objects.exists() and not WebhookEvent.objects.exists()


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_redelivering_a_fixture_changes_nothing(path, delivered, alpha, graph_standin):
    raw = path.read_bytes()
    connection.set_tenant(alpha)
    _earlier_rows(json.loads(raw))
    delivered(raw)
    connection.set_tenant(alpha)
    before = _snapshot()
    sent_before = len(graph_standin.sent)

    assert delivered(raw).status_code == 200

    assert _snapshot() == before
    assert len(graph_standin.sent) == sent_before
