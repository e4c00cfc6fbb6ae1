"""Public schema: the clinics themselves, their domains and their WhatsApp numbers."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from smartclinic.crypto import EncryptedTextField

slug_validator = RegexValidator(
    r"^[a-z][a-z0-9]{1,30}$",
    _("Use 2-31 lowercase letters and digits, starting with a letter."),
)


class Clinic(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    slug = models.CharField(_("slug"), max_length=31, unique=True, validators=[slug_validator])
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    retention_days = models.PositiveIntegerField(
        _("retention days"), default=90, help_text=_("Days after leaving before the clinic's data is deleted.")
    )
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.TextField(_("legal hold reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="left") | models.Q(left_on__isnull=False),
                name="clinic_left_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name_en} {self.name_zh}"

    def name_for(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class WhatsAppNumber(models.Model):
    """A clinic's WhatsApp Business number; Meta's phone_number_id routes webhooks to it."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="whatsapp_numbers", verbose_name=_("clinic")
    )
    phone_number_id = models.CharField(
        _("phone number ID"), max_length=32, unique=True, validators=[RegexValidator(r"^\d{5,32}$", _("Digits only."))]
    )
    display_phone = models.CharField(_("display phone"), max_length=32)
    waba_id = models.CharField(_("WhatsApp Business Account ID"), max_length=32, blank=True)
    # Empty means the platform token from the environment (WHATSAPP_ACCESS_TOKEN).
    access_token = EncryptedTextField(_("access token"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("WhatsApp number")
        verbose_name_plural = _("WhatsApp numbers")

    def __str__(self) -> str:
        return f"{self.display_phone} ({self.phone_number_id})"
