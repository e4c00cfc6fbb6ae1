"""Helpers for privacy tests: patients in a clinic's schema, requests in public."""

from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Patient
from privacy import services


def make_patient(clinic, wa_id="85291234567", name="Chan Tai Man", language="zh-Hant-HK") -> Patient:
    with tenant_context(clinic):
        return Patient.objects.create(wa_id=wa_id, name=name, language=language)


def make_request(clinic, kind="access", wa_id="85291234567", language="zh-Hant-HK", **extra):
    return services.create_request(clinic=clinic, kind=kind, wa_id=wa_id, language=language, **extra)


def verified(request):
    return services.verify_identity(request=request, method="whatsapp_number_match", actor="test")
