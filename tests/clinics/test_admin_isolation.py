"""A clinic's staff see their own clinic only; our staff and clinic staff are separate."""

from auditlog.models import LogEntry
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Doctor
from tests.conftest import PASSWORD, admin_login, clinic_client


def test_alpha_manager_sees_alpha_admin(alpha_manager_client):
    response = alpha_manager_client.get("/admin/")
    assert response.status_code == 200
    assert "Alpha Clinic" in response.content.decode()


def test_alpha_manager_cannot_log_into_beta(beta):
    client = clinic_client("beta")
    assert not admin_login(client, "manager@alpha.test")
    assert client.get("/admin/").status_code == 302


def test_alpha_session_is_worthless_on_beta(alpha_manager_client, beta):
    # Even a stolen alpha session cookie presented to beta's host leads to the login page.
    cookie = alpha_manager_client.cookies["sessionid"].value
    client = clinic_client("beta")
    client.cookies["sessionid"] = cookie
    response = client.get("/admin/frontdesk/doctor/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_clinic_manager_cannot_use_the_operator_admin(alpha, client):
    assert not admin_login(client, "manager@alpha.test")


def test_activity_log_records_an_admin_change_with_its_author(alpha_manager_client, alpha):
    response = alpha_manager_client.post(
        "/admin/frontdesk/doctor/add/",
        {
            "name_en": "Dr Ho",
            "name_zh": "何醫生",
            "slot_minutes": 15,
            "active": "on",
            "working_hours-TOTAL_FORMS": 0,
            "working_hours-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(alpha):
        doctor = Doctor.objects.get(name_en="Dr Ho")
        entry = LogEntry.objects.get_for_object(doctor).get()
        assert entry.action == LogEntry.Action.CREATE
        assert entry.actor.username == "manager@alpha.test"


def test_alpha_activity_log_shows_none_of_beta(alpha_manager_client, beta):
    with tenant_context(beta):
        Doctor.objects.create(name_en="Dr Beta Only", name_zh="貝醫生", slot_minutes=10)
    response = alpha_manager_client.get("/admin/auditlog/logentry/")
    assert response.status_code == 200
    assert "Dr Beta Only" not in response.content.decode()


def test_receptionist_cannot_read_the_activity_log(alpha):
    from clinics.frontdesk.services import create_staff_member

    with tenant_context(alpha):
        create_staff_member(email="desk@alpha.test", password=PASSWORD, role="receptionist")
    client = clinic_client("alpha")
    assert admin_login(client, "desk@alpha.test")
    assert client.get("/admin/auditlog/logentry/").status_code == 403
    assert client.get("/admin/frontdesk/patient/").status_code == 200
