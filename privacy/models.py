"""Public schema: PDPO requests, refusal log, disclosures, deletion certificates, the policy.

Nothing here is needed to read a clinic's schema; the rows that outlive a clinic (refusal log,
certificates, closed requests) keep its slug and name as text, never a patient's number.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic
from smartclinic.crypto import EncryptedTextField

RESPONSE_DAYS = 40  # s.19(1): comply with a data access / correction request within 40 days
REFUSAL_LOG_YEARS = 4  # s.27(1)(c): log book particulars kept at least 4 years


class Language(models.TextChoices):
    ZH = "zh-Hant-HK", _("Traditional Chinese")
    EN = "en", _("English")


class PrivacyRequest(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", _("Access (s.18)")
        CORRECTION = "correction", _("Correction (s.22)")
        ERASURE = "erasure", _("Erasure")
        OPT_OUT = "opt_out", _("Opt-out of reminders")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VERIFYING = "verifying", _("Verifying identity")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.RECEIVED, Status.VERIFYING, Status.IN_PROGRESS)

    class Verification(models.TextChoices):
        WHATSAPP_NUMBER_MATCH = "whatsapp_number_match", _("Wrote from the WhatsApp number concerned")
        STAFF_CHECK = "staff_check", _("Checked by staff (no copy of any ID kept)")

    class Source(models.TextChoices):
        WHATSAPP = "whatsapp", _("WhatsApp")
        STAFF = "staff", _("Our staff")
        COMMAND = "command", _("Command line")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    # The clinic may be deleted later; the request (masked) stays as proof, so keep its name as text.
    clinic = models.ForeignKey(
        Clinic, on_delete=models.SET_NULL, null=True, related_name="privacy_requests", verbose_name=_("clinic")
    )
    clinic_slug = models.CharField(_("clinic slug"), max_length=31, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.STAFF)
    # The number only while the request is open; replaced by the masked form and a keyed hash on closing.
    wa_id = EncryptedTextField(_("WhatsApp number"), blank=True)
    wa_id_masked = models.CharField(_("WhatsApp number (masked)"), max_length=32, blank=True)
    wa_id_hash = models.CharField(_("number hash"), max_length=64, db_index=True, editable=False)
    language = models.CharField(_("language"), max_length=12, choices=Language.choices, default=Language.ZH)
    details = models.TextField(_("what was asked"), blank=True)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    due_on = models.DateField(_("due on"), editable=False)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    extension_notice_sent_on = models.DateField(_("extension notice sent on"), null=True, blank=True)
    extended_due_on = models.DateField(_("extended due on"), null=True, blank=True)
    verification_method = models.CharField(
        _("identity verified by"), max_length=24, choices=Verification.choices, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.TextField(_("outcome"), blank=True)
    refusal_reason = models.CharField(_("refusal reason"), max_length=24, blank=True)
    fee_charged = models.DecimalField(_("fee charged (HK$)"), max_digits=8, decimal_places=2, default=Decimal("0"))
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    export_file = models.CharField(_("export file"), max_length=300, blank=True, editable=False)
    export_expires_on = models.DateField(_("export kept until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["due_on", "id"]
        constraints = [
            # s.28(3): no fee may be charged for a correction; only an access request carries one.
            models.CheckConstraint(
                condition=models.Q(kind="access") | models.Q(fee_charged=0), name="privacy_fee_only_for_access"
            ),
            models.CheckConstraint(condition=models.Q(fee_charged__gte=0), name="privacy_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        if not self.due_on:
            self.due_on = self.received_on + timedelta(days=RESPONSE_DAYS)
        if self.clinic_id and not self.clinic_slug:
            self.clinic_slug = self.clinic.slug
        super().save(*args, **kwargs)

    def clean(self):
        if self.kind != self.Kind.ACCESS and self.fee_charged:
            raise ValidationError({"fee_charged": _("No fee may be charged for this kind of request (s.28).")})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def deadline(self):
        return self.extended_due_on or self.due_on

    def days_left(self, today=None) -> int:
        return (self.deadline - (today or timezone.localdate())).days


class PrivacyEvent(models.Model):
    """An explicit step in a request's life, beside django-auditlog's field-level record."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("privacy request event")
        verbose_name_plural = _("privacy request events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class RefusalReason(models.TextChoices):
    IDENTITY_NOT_VERIFIED = "identity", _("s.20(1)(a) / s.24(1)(a): identity of the requestor not established")
    THIRD_PARTY_DATA = "third_party", _("s.20(1)(b): cannot comply without disclosing another person's data")
    PROHIBITED = "prohibited", _("s.20(1)(c): compliance prohibited under the Ordinance")
    CANNOT_LOCATE = "cannot_locate", _("s.20(3)(b): not enough information to locate the data")
    REPEATED = "repeated", _("s.20(3)(c): follows two or more similar requests, unreasonable to comply")
    HEALTH_EXEMPTION = "health", _("s.20(3)(f) with s.59: serious harm to physical or mental health")
    NOT_INACCURATE = "not_inaccurate", _("s.24(3)(c): not satisfied that the data are inaccurate")


class RefusalLogEntry(models.Model):
    """The s.27 log book: kept at least 4 years and never touched by the retention purge.

    No foreign keys on purpose: a clinic's deletion must not cascade into it.
    """

    request_reference = models.CharField(_("request"), max_length=20, db_index=True)
    clinic_slug = models.CharField(_("clinic slug"), max_length=31)
    clinic_name = models.CharField(_("clinic name"), max_length=420)
    kind = models.CharField(_("kind"), max_length=12, choices=PrivacyRequest.Kind.choices)
    requester_masked = models.CharField(_("requester (masked)"), max_length=32)
    reason = models.CharField(_("reason"), max_length=24, choices=RefusalReason.choices)
    particulars = models.TextField(_("particulars of the reasons"))
    notice_language = models.CharField(_("notice language"), max_length=12, choices=Language.choices)
    notice_text = models.TextField(_("notice sent"))
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)
    recorded_on = models.DateField(_("recorded on"), default=timezone.localdate)
    keep_until = models.DateField(_("keep until"), editable=False)

    class Meta:
        verbose_name = _("refusal log entry")
        verbose_name_plural = _("refusal log (s.27)")
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.request_reference} {self.reason}"

    def save(self, *args, **kwargs):
        if not self.keep_until:
            on = self.recorded_on
            try:
                self.keep_until = on.replace(year=on.year + REFUSAL_LOG_YEARS)
            except ValueError:  # 29 February
                self.keep_until = on.replace(year=on.year + REFUSAL_LOG_YEARS, day=28)
        super().save(*args, **kwargs)


class DisclosureLog(models.Model):
    """Who received a patient's data (s.23(1)(c) needs the last 12 months at correction time)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="disclosures")
    patient_hash = models.CharField(_("patient (number hash)"), max_length=64, db_index=True)
    recipient = models.CharField(_("recipient"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=200)
    request = models.ForeignKey(PrivacyRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosure log")
        ordering = ["-disclosed_at"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.disclosed_at:%Y-%m-%d}"


class RetentionCategory(models.TextChoices):
    APPOINTMENTS = "appointments", _("Appointments")
    QUEUE = "queue", _("Queue tickets")
    REMINDERS = "reminders", _("Reminders")
    CONVERSATIONS = "conversations", _("Conversations")
    MESSAGES = "messages", _("Messages and attachments")


class RetentionFloor(models.Model):
    """What a clinic must keep even when a patient asks for erasure (its own records duty)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="retention_floors")
    category = models.CharField(_("category"), max_length=20, choices=RetentionCategory.choices)
    keep_days = models.PositiveIntegerField(_("keep for (days)"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("retention floor")
        verbose_name_plural = _("retention floors")
        constraints = [models.UniqueConstraint(fields=["clinic", "category"], name="one_floor_per_category")]

    def __str__(self) -> str:
        return f"{self.clinic_id} {self.category} {self.keep_days}d"


class ClinicExport(models.Model):
    """The full export a departing clinic gets before its data is deleted."""

    clinic = models.ForeignKey(Clinic, on_delete=models.SET_NULL, null=True, related_name="exports")
    clinic_slug = models.CharField(_("clinic slug"), max_length=31)
    path = models.CharField(_("file"), max_length=400)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    counts = models.JSONField(_("rows per table"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("departure export")
        verbose_name_plural = _("departure exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.clinic_slug} {self.created_at:%Y-%m-%d}"


class DeletionCertificate(models.Model):
    """Proof that a departed clinic's data was deleted: what, when, how much; no personal data."""

    number = models.CharField(_("certificate"), max_length=20, unique=True, editable=False)
    clinic_slug = models.CharField(_("clinic slug"), max_length=31)
    clinic_name = models.CharField(_("clinic name"), max_length=420)
    left_on = models.DateField(_("left on"))
    retention_days = models.PositiveIntegerField(_("retention days"))
    deleted_at = models.DateTimeField(_("deleted at"), default=timezone.now)
    counts = models.JSONField(_("rows deleted per category"), default=dict)
    deleted = models.JSONField(_("what was deleted"), default=list)
    performed_by = models.CharField(_("performed by"), max_length=150)

    class Meta:
        verbose_name = _("deletion certificate")
        verbose_name_plural = _("deletion certificates")
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return self.number


class PolicyVersion(models.Model):
    """A version of the privacy policy. Published versions are never edited: add a new one."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    effective_on = models.DateField(_("effective from"))
    body_en = models.TextField(_("policy (English)"))
    body_zh = models.TextField(_("policy (Chinese)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("privacy policy version")
        verbose_name_plural = _("privacy policy versions")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.version} ({self.effective_on})"

    @property
    def is_published(self) -> bool:
        return self.effective_on <= timezone.localdate()

    def body_for(self, language: str) -> str:
        return self.body_zh if language.startswith("zh") else self.body_en


class UpcomingDeletion(Clinic):
    """Clinics that left, seen from the privacy side: when their data goes."""

    class Meta:
        proxy = True
        verbose_name = _("upcoming deletion")
        verbose_name_plural = _("upcoming deletions")
