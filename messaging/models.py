"""Clinic schema: raw webhook events, conversations, messages and their attachments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.Model):
    """One message or status exactly as Meta delivered it; `key` makes a redelivery a no-op."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("message")
        STATUS = "status", _("status")

    # message: its wamid; status: "<wamid>:<status>" (Meta sends each status at least once).
    key = models.CharField(_("key"), max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    phone_number_id = models.CharField(_("phone number ID"), max_length=32)
    # {"message"|"status": {...}, "contact": {...}}; emptied of text once processed (see services).
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [
            models.Index(
                fields=["received_at"], condition=models.Q(processed_at__isnull=True), name="webhookevent_unprocessed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:40]}"


class Conversation(models.Model):
    """The one thread between the clinic and a patient."""

    patient = models.OneToOneField(
        "frontdesk.Patient", on_delete=models.CASCADE, related_name="conversation", verbose_name=_("patient")
    )
    # The clinic number the patient last wrote to; replies go out from it.
    phone_number_id = models.CharField(_("phone number ID"), max_length=32, blank=True)
    state = models.JSONField(_("dialogue state"), default=dict, blank=True)
    taken_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken over by"),
    )
    taken_over_at = models.DateTimeField(_("taken over at"), null=True, blank=True)
    waiting_for_staff = models.BooleanField(_("waiting for staff"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)
    urgent_reason = models.CharField(_("reason"), max_length=300, blank=True)
    last_inbound_at = models.DateTimeField(_("last patient message"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, db_index=True)
    staff_seen_at = models.DateTimeField(_("staff last read"), null=True, blank=True)
    policy_version_shown = models.CharField(_("privacy policy version shown"), max_length=32, blank=True)
    policy_shown_at = models.DateTimeField(_("privacy policy shown at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at"]

    def __str__(self) -> str:
        return str(self.patient)

    @property
    def assistant_silent(self) -> bool:
        return self.taken_over_by_id is not None or self.waiting_for_staff


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("from patient")
        OUT = "out", _("to patient")

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        INTERACTIVE = "interactive", _("interactive")
        BUTTON = "button", _("button")
        TEMPLATE = "template", _("template")
        IMAGE = "image", _("image")
        VIDEO = "video", _("video")
        DOCUMENT = "document", _("document")
        AUDIO = "audio", _("audio")
        STICKER = "sticker", _("sticker")
        LOCATION = "location", _("location")
        CONTACTS = "contacts", _("contacts")
        REACTION = "reaction", _("reaction")
        ORDER = "order", _("order")
        SYSTEM = "system", _("system")
        UNSUPPORTED = "unsupported", _("unsupported")
        UNKNOWN = "unknown", _("unknown")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        READ = "read", _("read")
        FAILED = "failed", _("failed")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", verbose_name=_("conversation")
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(_("text"), blank=True)
    # Inbound: Meta's message object (identifiers masked). Outbound: the Graph body minus `to`.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    wamid = models.CharField(_("WhatsApp message ID"), max_length=300, unique=True, null=True, blank=True)
    reply_to = models.CharField(_("in reply to"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error_code = models.IntegerField(_("error code"), null=True, blank=True)
    error_title = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "claimed_at"], name="message_status_claimed")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """Media a patient sent, stored encrypted under MEDIA_ROOT/<schema>/."""

    class Status(models.TextChoices):
        STORED = "stored", _("stored")
        FAILED = "failed", _("download failed")

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="attachment", verbose_name=_("message")
    )
    media_id = models.CharField(_("media ID"), max_length=100)
    mime_type = models.CharField(_("type"), max_length=100, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    path = models.CharField(_("stored at"), max_length=500, blank=True)  # relative to MEDIA_ROOT
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename or self.media_id
