"""The operator's view of usage per clinic: counts from each clinic's schema, no personal data."""

from datetime import timedelta

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from clinics.models import Clinic
from smartclinic.admin_sites import operator_site


def usage_per_clinic(*, days: int = 30) -> list[dict]:
    from clinics.frontdesk.models import Appointment, Patient, QueueTicket, Reminder
    from messaging.models import Message

    since = timezone.now() - timedelta(days=days)
    rows = []
    for clinic in Clinic.objects.exclude(schema_name="public").order_by("slug"):
        with tenant_context(clinic):
            messages = Message.objects.filter(created_at__gte=since)
            rows.append(
                {
                    "slug": clinic.slug,
                    "name": str(clinic),
                    "status": clinic.get_status_display(),
                    "patients": Patient.objects.count(),
                    "messages_in": messages.filter(direction="in").count(),
                    "messages_out": messages.filter(direction="out").count(),
                    "appointments": Appointment.objects.filter(created_at__gte=since).count(),
                    "queue_tickets": QueueTicket.objects.filter(joined_at__gte=since).count(),
                    "reminders_sent": Reminder.objects.filter(sent_at__gte=since).count(),
                }
            )
    return rows


def usage_view(request: HttpRequest) -> TemplateResponse:
    context = {
        **operator_site.each_context(request),
        "title": _("Usage per clinic"),
        "rows": usage_per_clinic(days=30),
        "days": 30,
    }
    return TemplateResponse(request, "frontdesk/operator_usage.html", context)
