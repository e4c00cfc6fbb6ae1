"""The inbox list and the thread stay live: counts, previews, a reload banner, ticks of shown messages."""

import pytest
from django.db import connection
from django.utils import timezone

from messaging import services
from messaging.models import Message
from tests.conftest import admin_login, clinic_client, in_clinic
from tests.messaging.messaging_factories import ConversationFactory, OutboundFactory

INBOX = "/admin/messaging/conversation/"


@pytest.fixture
def conversation(in_alpha):
    conversation = ConversationFactory(patient__wa_id="85291234567", patient__name="Chan Tai Man")
    _patient_writes(conversation, "Hello clinic", "wamid.L1")
    connection.set_schema_to_public()
    return conversation


def _patient_writes(conversation, text, wamid):
    Message.objects.create(
        conversation=conversation, direction="in", kind="text", text=text, wamid=wamid, status="received"
    )
    conversation.last_message_at = timezone.now()
    conversation.save(update_fields=["last_message_at"])


def test_the_inbox_poll_gives_each_rows_unread_count_and_latest_message(conversation, alpha_manager_client):
    data = alpha_manager_client.get(f"{INBOX}poll/").json()
    assert data["conversations"] == [
        {"id": conversation.pk, "unread": 1, "latest": "Hello clinic", "urgent": False, "waiting": False}
    ]


def test_the_inbox_page_carries_the_poll_and_the_stamp_it_was_drawn_with(conversation, alpha_manager_client):
    page = alpha_manager_client.get(INBOX).content.decode()
    stamp = alpha_manager_client.get(f"{INBOX}poll/").json()["stamp"]
    assert f'data-poll="{INBOX}poll/"' in page and f'data-stamp="{stamp}"' in page
    assert f'data-unread="{conversation.pk}"' in page and f'data-latest="{conversation.pk}"' in page


def test_a_new_patient_message_changes_the_stamp_so_the_page_offers_a_reload(conversation, alpha, alpha_manager_client):
    before = alpha_manager_client.get(f"{INBOX}poll/").json()
    assert alpha_manager_client.get(f"{INBOX}poll/").json()["stamp"] == before["stamp"]
    in_clinic(alpha, lambda: _patient_writes(conversation, "Are you open?", "wamid.L2"))
    after = alpha_manager_client.get(f"{INBOX}poll/").json()
    assert after["stamp"] != before["stamp"]
    assert after["conversations"][0]["unread"] == 2 and after["conversations"][0]["latest"] == "Are you open?"


def test_a_conversation_handed_to_staff_changes_the_stamp(conversation, alpha, alpha_manager_client):
    before = alpha_manager_client.get(f"{INBOX}poll/").json()["stamp"]
    in_clinic(alpha, lambda: services.hand_to_staff(conversation=conversation, reason="asked", urgent=True))
    after = alpha_manager_client.get(f"{INBOX}poll/").json()
    assert after["stamp"] != before and after["conversations"][0]["urgent"] is True


def test_urgent_and_waiting_rows_come_first_and_are_marked_for_highlighting(alpha, alpha_manager_client):
    connection.set_tenant(alpha)
    calm = ConversationFactory(patient__name="Calm Patient", last_message_at=timezone.now())
    waiting = ConversationFactory(patient__name="Waiting Patient", waiting_for_staff=True)
    urgent = ConversationFactory(patient__name="Urgent Patient", urgent=True, waiting_for_staff=True)
    connection.set_schema_to_public()
    rows = alpha_manager_client.get(f"{INBOX}poll/").json()["conversations"]
    assert [row["id"] for row in rows] == [urgent.pk, waiting.pk, calm.pk]
    page = alpha_manager_client.get(INBOX).content.decode()
    urgent_mark, waiting_mark = page.index('class="inbox-urgent"'), page.index('class="inbox-waiting"')
    assert urgent_mark < page.index("Urgent Patient") < waiting_mark < page.index("Waiting Patient")
    assert page.index("Waiting Patient") < page.index("Calm Patient")


def test_the_inbox_filters_on_urgent_and_on_waiting_for_staff(alpha, alpha_manager_client):
    connection.set_tenant(alpha)
    ConversationFactory(patient__name="Calm Patient")
    ConversationFactory(patient__name="Waiting Patient", waiting_for_staff=True)
    ConversationFactory(patient__name="Urgent Patient", urgent=True, waiting_for_staff=True)
    connection.set_schema_to_public()
    urgent = alpha_manager_client.get(f"{INBOX}?urgent__exact=1").content.decode()
    assert "Urgent Patient" in urgent and "Waiting Patient" not in urgent and "Calm Patient" not in urgent
    waiting = alpha_manager_client.get(f"{INBOX}?waiting_for_staff__exact=1").content.decode()
    assert "Waiting Patient" in waiting and "Urgent Patient" in waiting and "Calm Patient" not in waiting


def test_the_thread_poll_updates_the_ticks_of_messages_already_shown(conversation, alpha, alpha_manager_client):
    connection.set_tenant(alpha)
    reply = OutboundFactory(conversation=conversation, status="sent", wamid="wamid.OUT1")
    connection.set_schema_to_public()
    poll = f"{INBOX}{conversation.pk}/poll/?after={reply.pk}"
    assert alpha_manager_client.get(poll).json()["ticks"][str(reply.pk)]["symbol"] == "✓"
    in_clinic(alpha, lambda: Message.objects.filter(pk=reply.pk).update(status="read"))
    data = alpha_manager_client.get(poll).json()
    assert data["messages"] == [] and data["ticks"][str(reply.pk)] == {
        "symbol": "✓✓",
        "colour": "#34b7f1",
        "title": "Read",
    }


def test_betas_staff_see_nothing_of_alphas_inbox_poll(conversation, beta):
    client = clinic_client("beta")
    assert admin_login(client, "manager@beta.test")
    data = client.get(f"{INBOX}poll/").json()
    assert data["conversations"] == [] and "Hello clinic" not in str(data)
    assert client.get(f"{INBOX}{conversation.pk}/poll/").status_code == 404


def test_the_inbox_poll_needs_a_signed_in_member_of_staff(conversation):
    response = clinic_client("alpha").get(f"{INBOX}poll/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
