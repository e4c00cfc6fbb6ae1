"""Writes for messaging: webhook events in, conversations, outbound messages, staff takeover.

Everything except `store_webhook_events` runs inside a clinic schema.
"""

from __future__ import annotations

import importlib
import json
import logging
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from clinics.frontdesk.models import Patient
from clinics.models import WhatsAppNumber
from messaging import graph
from messaging.models import Attachment, Conversation, Message, WebhookEvent
from messaging.sensitive import mask_identifiers
from messaging.texts import TEXTS, render
from smartclinic.crypto import keyed_hash

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
MAX_SEND_ATTEMPTS = 6
# Meta's pair limit: about one message per 6 s to one person, bursts up to 45; a fixed window of
# 45 x 6 s keeps that average without blocking a lively chat.
PAIR_WINDOW_SECONDS = 270
PAIR_LIMIT = 45
CALLBACK_PREFIX = "smartclinic:"  # biz_opaque_callback_data, echoed on status webhooks
# How long a status may wait for our send task to record its wamid before it is dropped.
STATUS_WAIT = timedelta(minutes=10)
MEDIA_KINDS = {"image", "video", "document", "audio", "sticker"}
TEMPLATE_LANGUAGES = {"zh-Hant-HK": "zh_HK", "en": "en"}


# --- the webhook's hot path (public schema; one INSERT per clinic per delivery) -------------
# ... and UTF-8-encoded surrogates (ED A0..BF xx), which json.loads(bytes) lets through too.
_SUSPICIOUS_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\xed[\xa0-\xbf]")


def _clean(value: Any) -> Any:
    """PostgreSQL refuses NUL characters and lone surrogates in text and jsonb: drop them."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    return value


def needs_cleaning(body: bytes) -> bool:
    return _SUSPICIOUS_ESCAPE.search(body) is not None


def events_from_value(value: dict) -> list[tuple[str, str, dict]]:
    """(key, kind, payload) for each well-formed message and status in one change value."""
    events: list[tuple[str, str, dict]] = []
    contacts = value.get("contacts")
    contacts = [c for c in contacts if isinstance(c, dict)] if isinstance(contacts, list) else []
    messages = value.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict) and isinstance(message.get("id"), str) and 0 < len(message["id"]) <= 300:
            sender = message.get("from")
            contact = next((c for c in contacts if c.get("wa_id") == sender), contacts[0] if contacts else {})
            events.append((message["id"], WebhookEvent.Kind.MESSAGE, {"message": message, "contact": contact}))
    statuses = value.get("statuses")
    for status in statuses if isinstance(statuses, list) else []:
        if isinstance(status, dict) and isinstance(status.get("id"), str) and isinstance(status.get("status"), str):
            key = f"{status['id']}:{status['status']}"
            if len(key) <= 300:
                events.append((key, WebhookEvent.Kind.STATUS, {"status": status}))
    return events


def store_webhook_events(*, schema_name: str, phone_number_id: str, events: list[tuple[str, str, dict]]) -> list[str]:
    """INSERT ... ON CONFLICT DO NOTHING into the clinic's schema; returns the keys that were new.

    The table is named with its schema, so the search path does not matter: the DB-API cursor
    skips django-tenants' SET search_path round trip.
    """
    table = f"{connection.ops.quote_name(schema_name)}.{connection.ops.quote_name(WebhookEvent._meta.db_table)}"
    rows = ", ".join(["(%s, %s, %s, %s::jsonb, now(), 0)"] * len(events))
    params: list[Any] = []
    for key, kind, payload in events:
        params += [key, kind, phone_number_id, json.dumps(payload)]
    sql = (
        f"INSERT INTO {table} (key, kind, phone_number_id, payload, received_at, attempts) "  # noqa: S608 - quoted names
        f"VALUES {rows} ON CONFLICT (key) DO NOTHING RETURNING key"
    )
    connection.ensure_connection()
    # Django's wrapper marks a failed connection, so the request's end closes it and the next
    # request reconnects (after a PostgreSQL restart, say) instead of failing until CONN_MAX_AGE.
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# --- conversations ------------------------------------------------------------------------
def conversation_for(*, patient: Patient) -> Conversation:
    conversation, _ = Conversation.objects.get_or_create(patient=patient)
    return conversation


def _patient_for(*, wa_id: str, name: str) -> Patient:
    patient, created = Patient.objects.get_or_create(wa_id=wa_id, defaults={"name": name[:200]})
    if not created and name and not patient.name:
        patient.name = name[:200]
        patient.save(update_fields=["name"])
    return patient


def mark_seen(*, conversation: Conversation) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(staff_seen_at=timezone.now())


def hand_to_staff(*, conversation: Conversation, reason: str, urgent: bool = False) -> None:
    """The assistant steps back until staff hand it back; the inbox shows it first, managers get an email."""
    from messaging.tasks import notify_staff

    news = not conversation.waiting_for_staff or (urgent and not conversation.urgent)
    conversation.waiting_for_staff = True
    conversation.urgent = conversation.urgent or urgent
    conversation.urgent_reason = reason[:300]
    conversation.save(update_fields=["waiting_for_staff", "urgent", "urgent_reason"])
    log.warning("conversation %s waits for staff (urgent=%s)", conversation.pk, conversation.urgent)
    if news:  # one email when it starts waiting or turns urgent, not one per patient message
        notify_staff.delay_on_commit(conversation.pk)


STAFF_ALERT = {
    True: ("Urgent: a patient needs you / 緊急：有病人需要你", "urgent / 緊急"),
    False: ("A patient is waiting for staff / 有病人等候職員", "waiting for staff / 等候職員"),
}


def email_managers(*, conversation_id: int) -> int:
    """Email the clinic's managers a link to a conversation waiting for staff; no patient words or number in it."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.urls import reverse

    conversation = Conversation.objects.filter(pk=conversation_id, waiting_for_staff=True).first()
    if conversation is None:
        return 0  # staff handed it back before the email went out
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name="manager")
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return 0
    clinic = connection.tenant
    domain = clinic.domains.filter(is_primary=True).values_list("domain", flat=True).first() or settings.BASE_DOMAIN
    path = reverse("admin:messaging_conversation_change", args=[conversation.pk], urlconf=settings.ROOT_URLCONF)
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    link = f"{settings.SITE_SCHEME}://{domain}{port}{path}"
    subject, state = STAFF_ALERT[conversation.urgent]
    body = (
        f"A patient's WhatsApp conversation needs a member of staff ({state}).\n"
        f"有病人的 WhatsApp 對話需要職員跟進。\n\n{link}\n\n"
        "The assistant stays silent in this conversation until staff hand it back.\n"
        "職員交回對話之前，助理不會回覆。\n"
    )
    send_mail(subject=f"[{clinic.name_for('en')}] {subject}", message=body, from_email=None, recipient_list=recipients)
    return len(recipients)


def _log_staff_action(*, instance, user, action: int, changes: dict) -> None:
    LogEntry.objects.log_create(instance, force_log=True, action=action, changes=changes, actor=user)


def take_over(*, conversation: Conversation, user) -> None:
    conversation.taken_over_by = user
    conversation.taken_over_at = timezone.now()
    conversation.save(update_fields=["taken_over_by", "taken_over_at"])
    changes = {"taken_over_by": ["None", str(user)]}
    _log_staff_action(instance=conversation, user=user, action=LogEntry.Action.UPDATE, changes=changes)


def hand_back(*, conversation: Conversation, user) -> None:
    before = str(conversation.taken_over_by) if conversation.taken_over_by_id else "None"
    was_waiting = str(conversation.waiting_for_staff)
    conversation.taken_over_by = None
    conversation.taken_over_at = None
    conversation.waiting_for_staff = False
    conversation.urgent = False
    conversation.urgent_reason = ""
    conversation.save(update_fields=["taken_over_by", "taken_over_at", "waiting_for_staff", "urgent", "urgent_reason"])
    changes = {"taken_over_by": [before, "None"], "waiting_for_staff": [was_waiting, "False"]}
    _log_staff_action(instance=conversation, user=user, action=LogEntry.Action.UPDATE, changes=changes)


def staff_reply(*, conversation: Conversation, user, text: str) -> Message:
    message = _queue(
        conversation=conversation, kind=Message.Kind.TEXT, text=text, body=graph.text_body(text), sent_by=user
    )
    _log_staff_action(instance=message, user=user, action=LogEntry.Action.CREATE, changes={"text": ["", text]})
    return message


# --- outbound -----------------------------------------------------------------------------
def _queue(*, conversation: Conversation, kind: str, text: str, body: dict, sent_by=None) -> Message:
    from messaging.tasks import send_message

    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        kind=kind,
        text=text,
        payload=body,
        status=Message.Status.QUEUED,
        sent_by=sent_by,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    send_message.delay_on_commit(message.pk)
    return message


def queue_text(*, conversation: Conversation, text: str, reply_to: str | None = None) -> Message:
    return _queue(
        conversation=conversation, kind=Message.Kind.TEXT, text=text, body=graph.text_body(text, reply_to=reply_to)
    )


def queue_buttons(
    *, conversation: Conversation, text: str, buttons: list[tuple[str, str]], footer: str | None = None
) -> Message:
    body = graph.buttons_body(text, buttons[:3], footer=footer)
    return _queue(conversation=conversation, kind=Message.Kind.INTERACTIVE, text=text, body=body)


def queue_list(
    *, conversation: Conversation, text: str, button: str, sections: list[tuple[str, list[tuple[str, str, str]]]]
) -> Message:
    body = graph.list_body(text, button, sections)
    return _queue(conversation=conversation, kind=Message.Kind.INTERACTIVE, text=text, body=body)


def queue_template(*, patient: Patient, name: str, language: str, parameters: list[str]) -> Message:
    code = TEMPLATE_LANGUAGES.get(language, language)
    body = graph.template_body(name, code, parameters)
    text = f"[{name}] " + " · ".join(parameters)
    return _queue(conversation=conversation_for(patient=patient), kind=Message.Kind.TEMPLATE, text=text, body=body)


def window_open(conversation: Conversation, *, at: datetime | None = None) -> bool:
    at = at or timezone.now()
    return conversation.last_inbound_at is not None and at - conversation.last_inbound_at < WINDOW


def notify_patient(
    *, patient: Patient, text: str, template: str, parameters: list[str], reminder: bool = False
) -> Message | None:
    """Free text inside the 24-hour window, else the approved template.

    A reminder is business-initiated: always its template, and nothing to an opted-out patient.
    """
    if reminder and patient.opted_out:
        return None
    if reminder:  # business-initiated: always the approved template, window open or not
        return queue_template(patient=patient, name=template, language=patient.language, parameters=parameters)
    conversation = conversation_for(patient=patient)
    # Leave a minute's margin: the send task checks the window again when it runs.
    if window_open(conversation, at=timezone.now() + timedelta(minutes=1)):
        return queue_text(conversation=conversation, text=text)
    return queue_template(patient=patient, name=template, language=patient.language, parameters=parameters)


# --- the send task's work ---------------------------------------------------------------
@dataclass(frozen=True)
class SendOutcome:
    done: bool
    retry_in: float | None = None


def _over_limit(key: str, limit: int, window: int) -> bool:
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        return False


def _rate_limited(*, phone_number_id: str, wa_id: str) -> float | None:
    """Seconds to wait when the number's or the recipient's limit is reached (Redis, all processes)."""
    now = time.time()
    second = int(now)
    if _over_limit(f"wa:rate:{phone_number_id}:{second}", settings.WHATSAPP_RATE_PER_SECOND, 1):
        return (second + 1 - now) + random.uniform(0, 0.5)  # noqa: S311 - jitter, not security
    bucket = int(now // PAIR_WINDOW_SECONDS)
    recipient = keyed_hash(wa_id)[:16]  # Redis keys (and its dump file) never hold a phone number
    if _over_limit(f"wa:pair:{phone_number_id}:{recipient}:{bucket}", PAIR_LIMIT, PAIR_WINDOW_SECONDS):
        return (bucket + 1) * PAIR_WINDOW_SECONDS - now + random.uniform(0, 2)  # noqa: S311
    return None


def backoff(attempt: int, *, code: int | None = None) -> float:
    """Exponential back-off with full jitter; the pair limit asks for 4^n seconds."""
    base = 4**attempt if code == 131056 else 2**attempt
    return min(base, 600) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security


def claim_timeout() -> timedelta:
    """A "sending" row older than this was abandoned by a dead worker and may be claimed again."""
    return timedelta(seconds=settings.WHATSAPP_SEND_CLAIM_TIMEOUT)


def number_for(conversation: Conversation) -> WhatsAppNumber | None:
    numbers = WhatsAppNumber.objects.filter(clinic__schema_name=connection.schema_name, active=True)
    if conversation.phone_number_id:
        chosen = numbers.filter(phone_number_id=conversation.phone_number_id).first()
        if chosen is not None:
            return chosen
    return numbers.order_by("pk").first()


def _fail(message_id: int, *, code: int | None, title: str) -> None:
    Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
        status=Message.Status.FAILED, error_code=code, error_title=title[:300]
    )


def send_queued(*, message_id: int) -> SendOutcome:
    """Claim one queued outbound row and send it; never twice, never free text outside the window.

    The claim is a conditional UPDATE (queued → sending). A row left in "sending" by a worker
    that died is claimed again only after claim_timeout(), and Meta echoes our
    biz_opaque_callback_data on the "sent" status, which settles such a row first: a resend
    happens only when the worker died after Meta accepted the message AND its status webhook
    did not arrive within the timeout. We prefer that rare duplicate to a lost reply.
    """
    message = Message.objects.select_related("conversation__patient").filter(pk=message_id).first()
    if message is None or message.direction != Message.Direction.OUT:
        return SendOutcome(done=True)
    if message.status not in {Message.Status.QUEUED, Message.Status.SENDING}:
        return SendOutcome(done=True)
    conversation = message.conversation
    number = number_for(conversation)
    wait = _rate_limited(phone_number_id=number.phone_number_id, wa_id=conversation.patient.wa_id) if number else None
    if wait is not None:
        return SendOutcome(done=False, retry_in=wait)
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(
            Q(status=Message.Status.QUEUED) | Q(status=Message.Status.SENDING, claimed_at__lt=now - claim_timeout())
        )
        .update(status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        message.refresh_from_db(fields=["status", "claimed_at"])
        if message.status == Message.Status.SENDING:  # another worker has it, or had it and died
            left = (message.claimed_at + claim_timeout() - now).total_seconds()
            return SendOutcome(done=False, retry_in=max(left, 0) + 1)
        return SendOutcome(done=True)
    message.refresh_from_db(fields=["attempts"])
    if number is None:
        _fail(message_id, code=None, title="The clinic has no active WhatsApp number.")
        return SendOutcome(done=True)
    if message.kind != Message.Kind.TEMPLATE and not window_open(conversation):
        _fail(message_id, code=131047, title="Not sent: more than 24 hours since the patient's last message.")
        return SendOutcome(done=True)
    body = {**message.payload, "biz_opaque_callback_data": f"{CALLBACK_PREFIX}{message.pk}"}
    client = graph.GraphClient(phone_number_id=number.phone_number_id, access_token=number.access_token)
    try:
        wamid = client.send(to=conversation.patient.wa_id, body=body)
    except graph.RetryableGraphError as error:
        if message.attempts >= MAX_SEND_ATTEMPTS:
            _fail(message_id, code=error.code, title=error.title)
            return SendOutcome(done=True)
        Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED, error_code=error.code, error_title=error.title[:300]
        )
        return SendOutcome(done=False, retry_in=backoff(message.attempts, code=error.code))
    except graph.PermanentGraphError as error:
        _fail(message_id, code=error.code, title=error.title)
        log.warning("send of message %s failed permanently with code %s", message_id, error.code)
        return SendOutcome(done=True)
    Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
        status=Message.Status.SENT, wamid=wamid, sent_at=timezone.now(), error_code=None, error_title=""
    )
    Message.objects.filter(pk=message_id, wamid__isnull=True).update(wamid=wamid)  # a status webhook won the race
    return SendOutcome(done=True)


# --- processing stored events ---------------------------------------------------------------
STATUS_RANK = {
    Message.Status.QUEUED: 0,
    Message.Status.SENDING: 1,
    Message.Status.SENT: 2,
    Message.Status.DELIVERED: 3,
    Message.Status.READ: 4,
}


def _timestamp(value: Any) -> datetime | None:
    try:
        seconds = int(str(value))
        return datetime.fromtimestamp(seconds, tz=UTC) if 0 < seconds < 10**11 else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def inbound_text(message: dict) -> str:
    """What staff and the assistant read of a patient's message."""
    kind = message.get("type")
    body = _dict(message.get(kind)) if isinstance(kind, str) else {}
    if kind == "text":
        return _str(body.get("body"))
    if kind in MEDIA_KINDS:
        return _str(body.get("caption")) or _str(body.get("filename"))
    if kind == "interactive":
        reply = _dict(body.get(_str(body.get("type")))) if body.get("type") else {}
        return _str(reply.get("title")) or _str(reply.get("body"))
    if kind == "button":
        return _str(body.get("text")) or _str(body.get("payload"))
    if kind == "location":
        return _str(body.get("name")) or _str(body.get("address")) or f"{body.get('latitude')}, {body.get('longitude')}"
    if kind == "contacts":
        contacts = message.get("contacts") if isinstance(message.get("contacts"), list) else []
        return ", ".join(_str(_dict(_dict(c).get("name")).get("formatted_name")) for c in contacts)
    if kind == "reaction":
        return _str(body.get("emoji"))
    if kind in {"order", "system"}:
        return _str(body.get("text")) or _str(body.get("body"))
    return ""


_META_FIELDS = frozenset({"id", "from", "timestamp", "message_id", "wa_id", "new_wa_id"})


def _mask_all(value: Any, kinds: list[str]) -> Any:
    if isinstance(value, str):
        masked, found = mask_identifiers(value)
        kinds.extend(k for k in found if k not in kinds)
        return masked
    if isinstance(value, list):
        return [_mask_all(item, kinds) for item in value]
    if isinstance(value, dict):
        # Meta's ids, numbers and timestamps are not the patient's words: "wamid…901405930449658…" is no card number.
        return {key: item if key in _META_FIELDS else _mask_all(item, kinds) for key, item in value.items()}
    return value


def media_path(*, wamid: str) -> Path:
    """Where an attachment lives, relative to MEDIA_ROOT: one folder per clinic schema."""
    name = re.sub(r"[^A-Za-z0-9]", "", wamid)[-60:] or "media"
    return Path(connection.schema_name) / "whatsapp" / f"{name}.bin"


def _fetch_media(*, phone_number_id: str, message: dict) -> tuple[str, str, int, str]:
    """(relative path, mime type, size, error) for a media message, downloaded and encrypted."""
    from smartclinic.crypto import encrypt

    kind = message.get("type")
    media = _dict(message.get(kind))
    media_id = media.get("id")
    if not isinstance(media_id, str | int) or not str(media_id).isdigit():
        return "", _str(media.get("mime_type")), 0, "no media id"
    number = WhatsAppNumber.objects.filter(phone_number_id=phone_number_id).first()
    client = graph.GraphClient(phone_number_id=phone_number_id, access_token=number.access_token if number else "")
    try:
        downloaded = client.download_media(media_id=str(media_id))
    except graph.GraphError as error:
        log.warning("media download failed with code %s", error.code)
        return "", _str(media.get("mime_type")), 0, f"{error.code}: {error.title}"[:300]
    relative = media_path(wamid=message["id"])
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(encrypt(downloaded.data))
    return str(relative), downloaded.mime_type or _str(media.get("mime_type")), len(downloaded.data), ""


def _number(value: Any) -> str:
    """A WhatsApp number (wa_id) as Meta sends it, string or integer; "" when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        value = str(value)
    return value if isinstance(value, str) and value.isdigit() and len(value) <= 32 else ""


def change_patient_number(*, old_wa_id: str, new_wa_id: str) -> Patient | None:
    """The patient changed their WhatsApp number: their record, and with it the conversation, moves to it.

    Staff keep the history, and replies and reminders go to the new number. When the new number
    already has a record of its own, the two are left apart and staff are asked to merge them.
    Returns the patient the change is about, or None when we know neither number.
    """
    patient = Patient.objects.select_for_update().filter(wa_id=old_wa_id).first()
    if not new_wa_id or new_wa_id == old_wa_id:
        return patient
    if Patient.objects.filter(wa_id=new_wa_id).exists():
        if patient is None:
            return Patient.objects.get(wa_id=new_wa_id)
        reason = "the patient changed to a WhatsApp number that has its own record: merge the two by hand"
        hand_to_staff(conversation=conversation_for(patient=patient), reason=reason)
        return patient
    if patient is None:
        return None
    patient.wa_id = new_wa_id
    patient.save(update_fields=["wa_id"])  # the activity log records the change
    log.info("patient %s moved to a new WhatsApp number", patient.pk)
    return patient


def _forget_reaction(*, wa_id: str, reaction: dict) -> None:
    """The patient took a reaction back: drop the one they had left on that message, store nothing."""
    target = _str(reaction.get("message_id"))
    if target:
        Message.objects.filter(
            conversation__patient__wa_id=wa_id,
            direction=Message.Direction.IN,
            kind=Message.Kind.REACTION,
            payload__reaction__message_id=target,
        ).delete()


def _store_inbound(event: WebhookEvent, media: tuple[str, str, int, str] | None) -> tuple[Message | None, list[str]]:
    data = event.payload.get("message") or {}
    contact = _dict(event.payload.get("contact"))
    wa_id = _number(data.get("from")) or _number(contact.get("wa_id"))
    if not wa_id:
        log.warning("message event %s has no sender; skipped", event.pk)
        return None, []
    if Message.objects.filter(wamid=data["id"]).exists():
        return None, []
    kind = data.get("type")
    if kind == "reaction" and not _str(_dict(data.get("reaction")).get("emoji")):
        _forget_reaction(wa_id=wa_id, reaction=_dict(data.get("reaction")))
        return None, []
    system = _dict(data.get("system")) if kind == "system" else {}
    name = _str(_dict(contact.get("profile")).get("name"))
    if system.get("type") == "user_changed_number":  # `new_wa_id`; Graph API v12+ calls it `wa_id`
        new_wa_id = _number(system.get("new_wa_id")) or _number(system.get("wa_id"))
        patient = change_patient_number(old_wa_id=wa_id, new_wa_id=new_wa_id)
        if patient is None:
            log.info("number change of someone who never wrote to the clinic; skipped")
            return None, []
    else:
        patient = _patient_for(wa_id=wa_id, name=name)
    conversation = conversation_for(patient=patient)
    kinds: list[str] = []
    text = _mask_all(inbound_text(data), kinds)
    payload = _mask_all(data, kinds)
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.IN,
        kind=kind if kind in Message.Kind.values and kind != Message.Kind.TEMPLATE else Message.Kind.UNKNOWN,
        text=text,
        payload=payload,
        wamid=data["id"],
        reply_to=_str(_dict(data.get("context")).get("id"))[:300],
        status=Message.Status.RECEIVED,
    )
    if media is not None:
        path, mime_type, size, error = media
        Attachment.objects.create(
            message=message,
            media_id=str(_dict(data.get(kind)).get("id", ""))[:100],
            mime_type=mime_type[:100],
            filename=_str(_dict(data.get(kind)).get("filename"))[:255],
            size=size,
            path=path,
            status=Attachment.Status.FAILED if error else Attachment.Status.STORED,
            error=error,
        )
    sent_at = min(_timestamp(data.get("timestamp")) or timezone.now(), timezone.now())
    updates: dict[str, Any] = {"last_message_at": timezone.now(), "phone_number_id": event.phone_number_id}
    # Meta's notice of a number or identity change is not the patient writing: it opens no 24-hour window.
    if kind != "system" and (conversation.last_inbound_at is None or sent_at > conversation.last_inbound_at):
        updates["last_inbound_at"] = sent_at
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    for field, value in updates.items():
        setattr(conversation, field, value)
    return message, kinds


def _apply_status(event: WebhookEvent) -> bool:
    """Apply a delivery status; False when no message of ours carries its wamid (yet).

    Statuses we do not track (`deleted`, `warning`, `played`, whatever Meta adds) are settled at
    once, and so is a group's status for a message we do not know: we never send to groups, so no
    send task of ours is about to record its wamid.
    """
    status = _dict(event.payload.get("status"))
    wamid, new = _str(status.get("id")), _str(status.get("status"))
    if new not in {Message.Status.SENT, Message.Status.DELIVERED, Message.Status.READ, Message.Status.FAILED}:
        return True
    match = Q(wamid=wamid)
    callback = _str(status.get("biz_opaque_callback_data"))
    if callback.startswith(CALLBACK_PREFIX) and callback[len(CALLBACK_PREFIX) :].isdigit():
        # The worker that sent it died before recording the wamid: Meta's echo settles the row.
        match |= Q(pk=int(callback[len(CALLBACK_PREFIX) :]), wamid__isnull=True)
    # One locked lookup: a concurrent status that records the wamid first still matches on re-check.
    message = Message.objects.select_for_update().filter(match, direction=Message.Direction.OUT).first()
    if message is None:
        return status.get("recipient_type") == "group"
    current = message.status
    at = _timestamp(status.get("timestamp")) or timezone.now()
    if new == Message.Status.FAILED:
        if current in {Message.Status.READ, Message.Status.FAILED}:
            return True
        error = _dict((status.get("errors") or [{}])[0]) if isinstance(status.get("errors"), list) else {}
        code = str(error.get("code")) if isinstance(error.get("code"), int | str) else ""
        message.error_code = int(code) if code.isdigit() and len(code) < 10 else None  # Meta's int, or its digits
        message.error_title = (_str(error.get("title")) or _str(error.get("message")))[:300]
    elif new in {Message.Status.SENT, Message.Status.DELIVERED, Message.Status.READ}:
        moving_on = current != Message.Status.FAILED and STATUS_RANK.get(current, 0) < STATUS_RANK[new]
        if not (moving_on or (new == Message.Status.READ and current == Message.Status.FAILED)):
            return True
        setattr(message, f"{new}_at", at)
        if new == Message.Status.READ:
            message.error_code, message.error_title = None, ""
    else:
        return True
    message.status = new
    message.wamid = message.wamid or wamid
    message.save(update_fields=["status", "wamid", "error_code", "error_title", "sent_at", "delivered_at", "read_at"])
    return True


# What a patient writes or sends. Reactions, system notices and types we do not know are events, not
# questions: an answer to them ("Sorry, I didn't understand") would only be noise.
ANSWERED_KINDS = frozenset(
    {"text", "interactive", "button", "image", "video", "document", "audio", "sticker", "location", "contacts", "order"}
)


def _assistant_answers(message: Message) -> bool:
    # Meta's `unsupported` (older: `unknown`) is a real message we cannot read: the assistant says what it can do;
    # `request_welcome` is a patient opening the chat for the first time: the assistant greets them.
    payload_type = _str(message.payload.get("type"))
    return message.kind in ANSWERED_KINDS or payload_type in {"unsupported", "unknown", "request_welcome"}


def _respond(message: Message, silent: bool = False) -> None:
    try:
        dialogue = importlib.import_module("messaging.assistant.dialogue")
    except ModuleNotFoundError:
        return  # the assistant has not landed yet
    try:
        with transaction.atomic():
            if not silent:
                dialogue.respond(message=message)
            elif hasattr(dialogue, "respond_while_silent"):
                dialogue.respond_while_silent(message=message)
    except Exception:  # the assistant must never lose the patient's message
        log.exception("the assistant failed on message %s", message.pk)


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _language_of(message: Message) -> str:
    """The language this message is written in; the patient's known one when it says nothing ("A******(*)")."""
    from messaging.assistant.offline import detect_language

    patient = message.conversation.patient
    patient.refresh_from_db(fields=["language"])  # the assistant may just have learned it from this message
    text = message.text or ""
    if detect_language(text) != "en" or len(_LATIN_WORD.findall(text)) >= 2:
        return detect_language(text)
    return patient.language


def process_event(*, key: str) -> bool:
    """Turn one stored event into rows, once: the event row is locked and marked in the same transaction.

    Returns False for a status that should be tried again shortly: Meta can report on a message
    before our send task has recorded its wamid.
    """
    event = WebhookEvent.objects.filter(key=key, processed_at__isnull=True).first()
    if event is None:
        return True
    media = None
    data = _dict(event.payload.get("message"))
    if event.kind == WebhookEvent.Kind.MESSAGE and data.get("type") in MEDIA_KINDS:
        if not Message.objects.filter(wamid=data.get("id")).exists():
            media = _fetch_media(phone_number_id=event.phone_number_id, message=data)
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update(skip_locked=True).filter(pk=event.pk).first()
        if event is None or event.processed_at is not None:
            return True
        WebhookEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1)
        if event.kind == WebhookEvent.Kind.STATUS:
            if not _apply_status(event):
                if event.received_at > timezone.now() - STATUS_WAIT:
                    return False
                log.info("status for a message we do not know, dropped after %s", STATUS_WAIT)
            stored, kinds = None, []
        else:
            stored, kinds = _store_inbound(event, media)
        # The raw text is not kept twice: the Message holds the masked copy.
        WebhookEvent.objects.filter(pk=event.pk).update(processed_at=timezone.now(), payload={})
        if stored is None:
            return True
        conversation = stored.conversation
        if stored.kind == Message.Kind.ORDER:  # a catalogue order needs a person; the assistant tells the patient so
            hand_to_staff(conversation=conversation, reason="the patient sent an order from the catalogue")
        if _assistant_answers(stored):
            # While staff have it, only an emergency and STOP / START are still answered at once.
            _respond(stored, silent=conversation.assistant_silent)
        if kinds and stored.kind != Message.Kind.SYSTEM:
            # After the assistant's reply: a new patient hears the collection notice first.
            text = render(TEXTS, "identifiers_masked", _language_of(stored))
            queue_text(conversation=conversation, text=text)
        if settings.WHATSAPP_MARK_READ:
            from messaging.tasks import mark_read

            mark_read.delay_on_commit(event.phone_number_id, stored.wamid)
    return True


def unprocessed_keys(*, older_than: timedelta) -> list[str]:
    cutoff = timezone.now() - older_than
    return list(
        WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("key", flat=True)[:500]
    )


def stuck_outbound_ids(*, older_than: timedelta) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        Message.objects.filter(direction=Message.Direction.OUT)
        .filter(
            Q(status=Message.Status.QUEUED, created_at__lt=cutoff)
            | Q(status=Message.Status.SENDING, claimed_at__lt=timezone.now() - claim_timeout())
        )
        .values_list("pk", flat=True)[:500]
    )
