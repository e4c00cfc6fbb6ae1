"""Clinic schema: patients, doctors and hours, appointments, the walk-in queue, reminders, settings."""

import secrets
from datetime import time

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField, DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ZH = "zh-Hant-HK", _("Traditional Chinese")
    EN = "en", _("English")


class Patient(models.Model):
    """Someone who wrote to the clinic on WhatsApp, or whom staff registered."""

    wa_id = models.CharField(_("WhatsApp number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=12, choices=Language.choices, default=Language.ZH)
    opted_out_at = models.DateTimeField(_("reminders stopped at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or self.wa_id

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class Doctor(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=15)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("doctor")
        verbose_name_plural = _("doctors")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return f"{self.name_en} {self.name_zh}"

    def name_for(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """A doctor's weekly session, e.g. Monday 09:00-13:00 (several per day allowed)."""

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("doctor"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["doctor", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="hours_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class Closure(models.Model):
    """A day the clinic is closed beyond Hong Kong's public holidays."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}".strip()


class FAQ(models.Model):
    class Topic(models.TextChoices):
        HOURS = "hours", _("Opening hours")
        ADDRESS = "address", _("Address")
        FEES = "fees", _("Fees")
        VOUCHERS = "vouchers", _("Elderly health care vouchers")
        INSURANCE = "insurance", _("Insurance")
        OTHER = "other", _("Other")

    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    question_en = models.CharField(_("question (English)"), max_length=300)
    question_zh = models.CharField(_("question (Chinese)"), max_length=300)
    answer_en = models.TextField(_("answer (English)"))
    answer_zh = models.TextField(_("answer (Chinese)"))
    keywords = models.CharField(
        _("extra keywords"), max_length=300, blank=True, help_text=_("Comma-separated words patients use.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQs")
        ordering = ["topic", "id"]

    def __str__(self) -> str:
        return self.question_en

    def answer_for(self, language: str) -> str:
        return self.answer_zh if language.startswith("zh") else self.answer_en


def _new_board_token() -> str:
    return secrets.token_urlsafe(24)


class ClinicSettings(models.Model):
    """One row per clinic (pk=1): how the front desk and its scheduled work behave."""

    queue_alert_ahead = models.PositiveSmallIntegerField(
        _("queue alert: tickets ahead"),
        default=3,
        help_text=_("A patient gets one WhatsApp alert when this many tickets remain before theirs."),
    )
    reminder_hour = models.PositiveSmallIntegerField(
        _("reminder hour"),
        default=18,
        validators=[MaxValueValidator(23)],
        help_text=_("Hour of the day before a visit at which reminders go out (Hong Kong time)."),
    )
    quiet_hours_start = models.TimeField(_("quiet hours from"), default=time(22, 0))
    quiet_hours_end = models.TimeField(_("quiet hours until"), default=time(8, 0))
    booking_lead_minutes = models.PositiveSmallIntegerField(
        _("booking lead time (minutes)"),
        default=30,
        help_text=_("Patients on WhatsApp cannot book a slot starting sooner than this."),
    )
    queue_board_token = models.CharField(
        _("queue board key"),
        max_length=64,
        default=_new_board_token,
        help_text=_("Secret part of the waiting-room screen's address; change it to revoke old screens."),
    )
    sheets_enabled = models.BooleanField(_("mirror to Google Sheets"), default=False)
    spreadsheet_id = models.CharField(
        _("spreadsheet ID"), max_length=128, blank=True, help_text=_("Share the sheet with our service account.")
    )
    # The last conversation message copied to the sheet.
    sheets_messages_after_id = models.BigIntegerField(_("messages mirrored up to"), default=0, editable=False)

    class Meta:
        verbose_name = _("clinic settings")
        verbose_name_plural = _("clinic settings")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="clinic_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Clinic settings"))

    def in_quiet_hours(self, moment: time) -> bool:
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start <= end:
            return start <= moment < end
        return moment >= start or moment < end


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _same(field: str) -> models.Func:
    """[id, id] as a range: GiST compares ranges natively, so no btree_gist is needed (pgserver lacks it)."""
    return models.Func(
        models.F(field), models.F(field), models.Value("[]"), function="INT8RANGE", output_field=BigIntegerRangeField()
    )


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")
        COMPLETED = "completed", _("Completed")

    class Source(models.TextChoices):
        WHATSAPP = "whatsapp", _("WhatsApp")
        STAFF = "staff", _("Staff")

    INACTIVE = (Status.CANCELLED, Status.NO_SHOW)

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("patient")
    )
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("doctor"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(_("booked via"), max_length=10, choices=Source.choices, default=Source.WHATSAPP)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="appointment_starts_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="appointment_has_length"
            ),
            # The database itself refuses double booking, whatever the races in Python.
            ExclusionConstraint(
                name="appointment_doctor_not_double_booked",
                expressions=[
                    (_same("doctor_id"), RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=~models.Q(status__in=["cancelled", "no_show"]),
            ),
            ExclusionConstraint(
                name="appointment_patient_not_double_booked",
                expressions=[
                    (_same("patient_id"), RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=~models.Q(status__in=["cancelled", "no_show"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.doctor.name_en}"

    @property
    def active(self) -> bool:
        return self.status not in self.INACTIVE


class QueueDay(models.Model):
    """The counter behind each day's ticket numbers; locked while a number is taken."""

    day = models.DateField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("queue day")
        verbose_name_plural = _("queue days")

    def __str__(self) -> str:
        return f"{self.day} ({self.last_number})"


class QueueTicket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVED = "served", _("Served")
        SKIPPED = "skipped", _("Skipped")

    class Source(models.TextChoices):
        WHATSAPP = "whatsapp", _("WhatsApp")
        DESK = "desk", _("Desk")

    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="queue_tickets",
        verbose_name=_("patient"),
    )
    source = models.CharField(_("joined via"), max_length=10, choices=Source.choices, default=Source.DESK)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    served_at = models.DateTimeField(_("served at"), null=True, blank=True)
    alert_sent_at = models.DateTimeField(_("near-turn alert sent at"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called by"),
    )

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["-day", "number"]
        constraints = [models.UniqueConstraint(fields=["day", "number"], name="queue_ticket_number_per_day")]

    def __str__(self) -> str:
        return f"{self.day} #{self.number}"


class Reminder(models.Model):
    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", _("Appointment")
        FOLLOW_UP = "follow_up", _("Follow-up (覆診)")
        VACCINATION = "vaccination", _("Vaccination")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (stopped reminders)")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("patient"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.FOLLOW_UP)
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("appointment"),
    )
    due_on = models.DateField(_("due on"), help_text=_("The day of the visit; the reminder goes out the day before."))
    send_at = models.DateTimeField(_("send at"))
    note = models.CharField(
        _("note for the patient"), max_length=100, blank=True, help_text=_("E.g. the vaccine's name.")
    )
    language = models.CharField(_("language"), max_length=12, choices=Language.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # messaging.Message's id, kept as a plain number so frontdesk does not depend on messaging's tables.
    message_id = models.BigIntegerField(_("message"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    error = models.CharField(_("error"), max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["send_at"]
        indexes = [models.Index(fields=["status", "send_at"], name="reminder_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class SheetRow(models.Model):
    """A row waiting to be appended to the clinic's Google Sheet (the mirror's outbox)."""

    sheet = models.CharField(max_length=40)
    patient_ref = models.CharField(max_length=20, db_index=True)
    values = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Sheets row waiting")
        verbose_name_plural = _("Sheets rows waiting")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.sheet} {self.patient_ref}"
