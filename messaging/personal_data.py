"""What messaging keeps about a patient: the conversation, its messages, attachments, raw events."""

from django.db.models import Q
from django.utils import timezone

from messaging.models import Attachment, Conversation, Message, WebhookEvent
from privacy.walker import Holding
from smartclinic.crypto import decrypt


def _when(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _message(row: Message) -> dict:
    return {
        "at": _when(row.created_at),
        "direction": row.direction,
        "kind": row.kind,
        "text": row.text,
        "content": row.payload,
        "status": row.status,
        "sent_by_staff": row.sent_by_id is not None,
    }


def _attachment(row: Attachment) -> dict:
    return {"message_at": _when(row.message.created_at), "type": row.mime_type, "file_name": row.filename,
            "size": row.size, "status": row.status}  # fmt: skip


def _conversation(row: Conversation) -> dict:
    return {
        "started_at": _when(row.created_at),
        "last_message_at": _when(row.last_message_at),
        "dialogue_state": row.state,
        "urgent_reason": row.urgent_reason,
        "privacy_policy_version_shown": row.policy_version_shown,
        "privacy_policy_shown_at": _when(row.policy_shown_at),
    }


def _event(row: WebhookEvent) -> dict:
    return {"received_at": _when(row.received_at), "kind": row.kind, "payload": row.payload}


def _events_of(patient):
    wa_id = patient.wa_id
    return WebhookEvent.objects.filter(
        Q(payload__message__from=wa_id) | Q(payload__contact__wa_id=wa_id) | Q(payload__status__recipient_id=wa_id)
    )


def _erase_conversations(rows) -> None:
    # A conversation whose messages a retention floor keeps stays, emptied of its own personal data.
    rows.filter(messages__isnull=True).delete()
    rows.update(state={}, urgent_reason="")


HOLDINGS = [
    Holding(
        model=Attachment,
        category="attachments",
        floor="messages",
        label={"en": "Photos and files you sent", "zh-Hant-HK": "你發送的相片及檔案"},
        rows=lambda patient: Attachment.objects.filter(message__conversation__patient=patient).select_related(
            "message"
        ),
        export=_attachment,
        dated_by="message__created_at",
        files=lambda row: [row.path] if row.path else [],
        decrypt=decrypt,
    ),
    Holding(
        model=Message,
        category="messages",
        label={"en": "Messages", "zh-Hant-HK": "訊息"},
        rows=lambda patient: Message.objects.filter(conversation__patient=patient),
        export=_message,
        dated_by="created_at",
    ),
    Holding(
        model=WebhookEvent,
        category="messages_as_received",
        floor="messages",
        label={"en": "Messages as WhatsApp delivered them", "zh-Hant-HK": "WhatsApp 送達的原始訊息"},
        rows=_events_of,
        export=_event,
        dated_by="received_at",
    ),
    Holding(
        model=Conversation,
        category="conversations",
        label={"en": "Conversation", "zh-Hant-HK": "對話"},
        rows=lambda patient: Conversation.objects.filter(patient=patient),
        export=_conversation,
        erase=_erase_conversations,
    ),
]

NO_PERSONAL_DATA: list[str] = []
