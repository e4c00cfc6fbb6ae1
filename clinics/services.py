"""Writes in the public schema: onboarding clinics and their numbers."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django_tenants.utils import tenant_context

from clinics.frontdesk.services import create_staff_member, ensure_staff_roles
from clinics.models import Clinic, Domain, WhatsAppNumber, slug_validator


@dataclass(frozen=True)
class NewClinic:
    clinic: Clinic
    domain: str
    manager_email: str
    manager_password: str | None  # only when we generated it; shown once


def clinic_domain(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _check_new_clinic(*, slug: str, phone_number_id: str) -> None:
    slug_validator(slug)
    if (
        slug == "public"
        or Clinic.objects.filter(slug=slug).exists()
        or Clinic.objects.filter(schema_name=slug).exists()
    ):
        raise ValidationError(gettext("A clinic with slug %(slug)s already exists.") % {"slug": repr(slug)})
    if Domain.objects.filter(domain=clinic_domain(slug)).exists():
        raise ValidationError(gettext("The domain %(domain)s is already in use.") % {"domain": clinic_domain(slug)})
    if not phone_number_id.isdigit():
        raise ValidationError(gettext("The phone number ID must be digits only (Meta's phone_number_id)."))
    if WhatsAppNumber.objects.filter(phone_number_id=phone_number_id).exists():
        raise ValidationError(
            gettext("The phone number ID %(number)s already belongs to a clinic.") % {"number": phone_number_id}
        )


def _check_manager(*, email: str, password: str | None) -> None:
    """The manager signs in with this email: refuse a typo or a weak password before any schema exists."""
    validate_email(email)  # Django's own, already translated message: "Enter a valid email address."
    if password:
        validate_password(password, user=get_user_model()(username=email, email=email))


def create_clinic(
    *,
    slug: str,
    name_en: str,
    name_zh: str,
    phone_number_id: str,
    display_phone: str,
    manager_email: str | None = None,
    manager_password: str | None = None,
) -> NewClinic:
    """Schema, domain, WhatsApp number and a manager, or nothing at all."""
    _check_new_clinic(slug=slug, phone_number_id=phone_number_id)
    if not name_en.strip() or not name_zh.strip():
        raise ValidationError(gettext("The clinic needs a name in English and in Chinese."))
    generated = None
    manager_email = manager_email or f"manager@{clinic_domain(slug)}"
    _check_manager(email=manager_email, password=manager_password)
    if not manager_password:
        generated = manager_password = secrets.token_urlsafe(12)

    clinic = Clinic(schema_name=slug, slug=slug, name_en=name_en.strip(), name_zh=name_zh.strip())
    clinic.save()  # creates and migrates the schema
    try:
        Domain.objects.create(domain=clinic_domain(slug), tenant=clinic, is_primary=True)
        WhatsAppNumber.objects.create(clinic=clinic, phone_number_id=phone_number_id, display_phone=display_phone)
        with tenant_context(clinic):
            ensure_staff_roles()
            create_staff_member(email=manager_email, password=manager_password, role="manager")
    except Exception:
        # Leave nothing half-created: the schema goes with the row.
        clinic.delete(force_drop=True)
        raise
    return NewClinic(clinic=clinic, domain=clinic_domain(slug), manager_email=manager_email, manager_password=generated)
