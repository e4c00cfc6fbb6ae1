"""Reads for the clinic inbox (inside a clinic schema)."""

from __future__ import annotations

import hashlib

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.models import Conversation, Message


def inbox() -> QuerySet[Conversation]:
    """Conversations, urgent and waiting first, with unread patient messages and the latest text."""
    latest = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-pk")
    unread = Q(messages__direction=Message.Direction.IN) & (
        Q(staff_seen_at__isnull=True) | Q(messages__created_at__gt=F("staff_seen_at"))
    )
    return (
        Conversation.objects.select_related("patient", "taken_over_by")
        .annotate(
            unread=Count("messages", filter=unread),
            latest_text=Subquery(latest.values("text")[:1]),
            latest_kind=Subquery(latest.values("kind")[:1]),
        )
        .order_by("-urgent", "-waiting_for_staff", F("last_message_at").desc(nulls_last=True))
    )


def preview(conversation: Conversation) -> str:
    """The latest message of an inbox row (annotated by `inbox`), cut to one line's worth."""
    text = conversation.latest_text or (f"[{conversation.latest_kind}]" if conversation.latest_kind else "")
    return text[:80]


def inbox_live(*, limit: int = 100) -> dict:
    """What the inbox page polls: each row's unread count and preview, and a stamp of order and flags.

    The stamp changes when a conversation moves, arrives, or starts waiting or turns urgent: the page
    then offers a reload; unread counts and previews it updates in place.
    """
    rows = list(inbox()[:limit])
    order = "|".join(
        f"{c.pk}:{int(c.urgent)}{int(c.waiting_for_staff)}{int(c.taken_over_by_id is not None)}:"
        f"{c.last_message_at.timestamp() if c.last_message_at else ''}"
        for c in rows
    )
    return {
        "stamp": hashlib.sha256(order.encode()).hexdigest()[:16],
        "conversations": [
            {"id": c.pk, "unread": c.unread, "latest": preview(c), "urgent": c.urgent, "waiting": c.waiting_for_staff}
            for c in rows
        ],
    }


def ticks(*, conversation: Conversation, limit: int = 50) -> dict[int, dict]:
    """Delivery ticks of the conversation's latest outbound messages, for the thread page to refresh."""
    recent = conversation.messages.filter(direction=Message.Direction.OUT).order_by("-created_at", "-pk")[:limit]
    return {message.pk: tick(message) for message in recent}


def tick(message: Message) -> dict:
    """WhatsApp's delivery ticks for an outbound message: symbol, colour and a reason when failed."""
    if message.direction == Message.Direction.IN:
        return {"symbol": "", "colour": "", "title": ""}
    symbols = {
        Message.Status.QUEUED: ("🕓", "grey", _("Waiting to send")),
        Message.Status.SENDING: ("🕓", "grey", _("Sending")),
        Message.Status.SENT: ("✓", "grey", _("Sent")),
        Message.Status.DELIVERED: ("✓✓", "grey", _("Delivered")),
        Message.Status.READ: ("✓✓", "#34b7f1", _("Read")),
    }
    if message.status == Message.Status.FAILED:
        reason = f"{message.error_code or ''} {message.error_title}".strip()
        return {"symbol": "✗", "colour": "#d33", "title": _("Not delivered: %(reason)s") % {"reason": reason}}
    symbol, colour, title = symbols.get(message.status, ("", "", ""))
    return {"symbol": symbol, "colour": colour, "title": title}


def thread(*, conversation: Conversation, after: int = 0) -> list[dict]:
    """The messages of a conversation after message id `after`, as the thread page shows them."""
    messages = (
        conversation.messages.filter(pk__gt=after).select_related("attachment", "sent_by").order_by("created_at", "pk")
    )
    rows = []
    for message in messages:
        attachment = getattr(message, "attachment", None)
        rows.append(
            {
                "id": message.pk,
                "direction": message.direction,
                "kind": message.kind,
                "text": message.text,
                "at": timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M"),
                "by": str(message.sent_by) if message.sent_by_id else "",
                "tick": tick(message),
                "attachment": (
                    {
                        "id": attachment.pk,
                        "status": attachment.status,
                        "mime_type": attachment.mime_type,
                        "name": str(attachment),
                    }
                    if attachment
                    else None
                ),
            }
        )
    return rows
