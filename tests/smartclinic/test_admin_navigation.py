"""The admin sidebar shows each site its own pages, each person what their role may use."""

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from clinics.frontdesk.services import book_appointment, create_staff_member
from messaging.models import Message
from tests.clinics.frontdesk.frontdesk_factories import DoctorFactory, PatientFactory, working_day
from tests.conftest import admin_login, clinic_client
from tests.messaging.messaging_factories import ConversationFactory

HONG_KONG = ZoneInfo("Asia/Hong_Kong")


def _sidebar(client) -> str:
    page = client.get("/admin/").content.decode()
    return page[page.index('id="nav-sidebar-apps"') :]


def _inbox_link(sidebar: str) -> str:
    link = sidebar[sidebar.index('href="/admin/messaging/conversation/"') :]
    return link[: link.index("</a>")]


def _client_for(slug: str, email: str):
    client = clinic_client(slug)
    assert admin_login(client, email)
    return client


@pytest.fixture
def receptionist_client(in_alpha):
    create_staff_member(email="desk@alpha.test", password="correct-horse-battery-staple", role="receptionist")
    connection.set_schema_to_public()
    return _client_for("alpha", "desk@alpha.test")


def test_a_clinic_manager_sees_the_days_pages_and_none_of_the_operators(alpha_manager_client):
    sidebar = _sidebar(alpha_manager_client)
    for link in ['href="/admin/queue/"', 'href="/admin/calendar/"', 'href="/admin/statistics/"', "/admin/auth/user/"]:
        assert link in sidebar
    assert "/admin/privacy/" not in sidebar and "/simulator/" not in sidebar


def test_the_clinic_index_counts_today(alpha_manager_client):
    page = alpha_manager_client.get("/admin/").content.decode()
    assert page.count('data-testid="today-card"') == 4


def test_a_receptionist_sees_neither_staff_accounts_nor_statistics(receptionist_client):
    sidebar = _sidebar(receptionist_client)
    assert 'href="/admin/queue/"' in sidebar
    assert "/admin/auth/user/" not in sidebar and 'href="/admin/statistics/"' not in sidebar


def test_the_inbox_badge_counts_alphas_unread_conversations_and_not_in_beta(in_alpha):
    conversation = ConversationFactory()
    Message.objects.create(conversation=conversation, direction="in", kind="text", text="Hi", status="received")
    connection.set_schema_to_public()

    alpha_sidebar = _sidebar(_client_for("alpha", "manager@alpha.test"))
    beta_sidebar = _sidebar(_client_for("beta", "manager@beta.test"))

    assert re.search(r">\s*1\s*</span>", _inbox_link(alpha_sidebar))
    assert "bg-red-100" not in _inbox_link(beta_sidebar)  # no badge drawn at all


def test_the_operator_sees_clinics_privacy_and_tools_and_no_clinic_page(operator_client):
    sidebar = _sidebar(operator_client)
    for link in ["/admin/clinics/clinic/", "/admin/usage/", "/admin/privacy/privacyrequest/", "/simulator/"]:
        assert link in sidebar
    assert "/admin/queue/" not in sidebar and "/admin/calendar/" not in sidebar


def test_the_simulator_is_not_offered_when_it_is_switched_off(operator_client, settings):
    settings.SIMULATOR_ENABLED = False
    assert "/simulator/" not in _sidebar(operator_client)


def test_a_conversation_links_to_the_patients_record_bookings_and_a_new_booking(receptionist_client, alpha):
    connection.set_tenant(alpha)
    conversation = ConversationFactory()
    patient = conversation.patient.pk
    connection.set_schema_to_public()
    page = receptionist_client.get(f"/admin/messaging/conversation/{conversation.pk}/change/").content.decode()
    assert f'href="/admin/frontdesk/patient/{patient}/change/"' in page
    assert f'href="/admin/frontdesk/appointment/?patient__id__exact={patient}"' in page
    assert f'href="/admin/frontdesk/appointment/add/?patient={patient}"' in page


def test_the_appointments_link_from_a_conversation_lists_only_that_patients(alpha_manager_client, alpha):
    connection.set_tenant(alpha)
    doctor, day = DoctorFactory(), working_day()
    conversation = ConversationFactory(patient=PatientFactory(name="Ho Ka Yan"))
    for patient, hour in ((conversation.patient, 10), (PatientFactory(name="Other Person"), 11)):
        book_appointment(patient=patient, doctor=doctor, starts_at=datetime.combine(day, time(hour), tzinfo=HONG_KONG))
    connection.set_schema_to_public()
    response = alpha_manager_client.get(f"/admin/frontdesk/appointment/?patient__id__exact={conversation.patient.pk}")
    assert response.status_code == 200
    assert "Ho Ka Yan" in response.content.decode() and "Other Person" not in response.content.decode()


def test_no_admin_page_links_to_the_empty_site_root(alpha_manager_client, operator_client):
    from django.test import Client

    pages = [
        alpha_manager_client.get("/admin/"),
        operator_client.get("/admin/"),
        Client(HTTP_HOST="alpha.localhost").get("/admin/login/"),
        Client(HTTP_HOST="localhost").get("/admin/login/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert 'href="/"' not in page.content.decode()
