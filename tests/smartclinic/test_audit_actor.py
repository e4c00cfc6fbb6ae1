from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Doctor
from smartclinic.audit import SchemaAwareAuditlogMiddleware


def _request_as(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def test_an_operator_write_into_a_clinic_schema_is_logged_with_the_operators_email(alpha):
    operator = get_user_model().objects.create_user("ops2", "ops2@smartclinic.test", "x", is_staff=True)

    def view(request):
        with tenant_context(alpha):
            Doctor.objects.create(name_en="Dr Ops", name_zh="營運醫生", slot_minutes=15)
        return HttpResponse()

    SchemaAwareAuditlogMiddleware(view)(_request_as(operator))

    with tenant_context(alpha):
        entry = LogEntry.objects.get_for_object(Doctor.objects.get(name_en="Dr Ops")).get()
        assert entry.actor_id is None
        assert entry.actor_email == "ops2@smartclinic.test"


def test_a_write_in_the_users_own_schema_links_the_actor(in_alpha):
    manager = get_user_model().objects.get(username="manager@alpha.test")

    def view(request):
        Doctor.objects.create(name_en="Dr Own", name_zh="自己醫生", slot_minutes=15)
        return HttpResponse()

    SchemaAwareAuditlogMiddleware(view)(_request_as(manager))

    entry = LogEntry.objects.get_for_object(Doctor.objects.get(name_en="Dr Own")).get()
    assert entry.actor == manager
