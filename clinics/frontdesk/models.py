"""Clinic schema: the clinic's patients, doctors, hours and answers."""

from django.db import models
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
