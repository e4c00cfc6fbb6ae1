"""The clinic inbox: takeover silences the assistant, replies reach the stand-in, beta sees nothing of alpha."""

import pytest
from auditlog.models import LogEntry
from django.db import connection

from messaging.models import Attachment, Conversation, Message
from tests.conftest import admin_login, clinic_client
from tests.messaging.messaging_factories import ConversationFactory, envelope, post_webhook, text_message


@pytest.fixture
def conversation(in_alpha):
    conversation = ConversationFactory(patient__wa_id="85291234567", patient__name="Chan Tai Man")
    Message.objects.create(
        conversation=conversation, direction="in", kind="text", text="Hello clinic", wamid="wamid.A1", status="received"
    )
    connection.set_schema_to_public()
    return conversation


@pytest.fixture
def beta_manager_client(beta):
    client = clinic_client("beta")
    assert admin_login(client, "manager@beta.test")
    return client


def test_the_inbox_lists_conversations_with_unread_counts_and_the_latest_message(conversation, alpha_manager_client):
    page = alpha_manager_client.get("/admin/messaging/conversation/").content.decode()
    assert "Chan Tai Man" in page and "Hello clinic" in page and "<strong>1</strong>" in page


def test_opening_the_thread_shows_it_and_marks_it_read(conversation, alpha_manager_client):
    page = alpha_manager_client.get(f"/admin/messaging/conversation/{conversation.pk}/change/").content.decode()
    assert "Hello clinic" in page
    listing = alpha_manager_client.get("/admin/messaging/conversation/").content.decode()
    assert "<strong>1</strong>" not in listing


def test_new_patient_messages_appear_through_the_poll(
    conversation, alpha_manager_client, django_capture_on_commit_callbacks
):
    first = alpha_manager_client.get(f"/admin/messaging/conversation/{conversation.pk}/poll/?after=0").json()
    newest = first["messages"][-1]["id"]
    connection.set_schema("alpha")
    Message.objects.create(
        conversation=conversation,
        direction="in",
        kind="text",
        text="Are you open?",
        wamid="wamid.A2",
        status="received",
    )
    connection.set_schema_to_public()
    update = alpha_manager_client.get(f"/admin/messaging/conversation/{conversation.pk}/poll/?after={newest}").json()
    assert [m["text"] for m in update["messages"]] == ["Are you open?"]


def test_taking_over_silences_the_assistant_and_is_in_the_activity_log(
    conversation, alpha, alpha_manager_client, graph_standin, eager_tasks, django_capture_on_commit_callbacks
):
    response = alpha_manager_client.post(f"/admin/messaging/conversation/{conversation.pk}/take-over/")
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(envelope(messages=[text_message("I want to book tomorrow", wamid="wamid.A3")]))
    connection.set_tenant(alpha)
    conversation.refresh_from_db()
    assert conversation.taken_over_by.username == "manager@alpha.test"
    assert Message.objects.filter(wamid="wamid.A3").exists()
    assert not Message.objects.filter(direction="out").exists() and graph_standin.sent == []
    entry = LogEntry.objects.get(object_pk=str(conversation.pk), content_type__model="conversation")
    assert entry.actor.username == "manager@alpha.test" and "taken_over_by" in entry.changes_dict


def test_handing_back_lets_the_assistant_answer_again_and_is_logged(conversation, alpha, alpha_manager_client):
    alpha_manager_client.post(f"/admin/messaging/conversation/{conversation.pk}/take-over/")
    alpha_manager_client.post(f"/admin/messaging/conversation/{conversation.pk}/hand-back/")
    connection.set_tenant(alpha)
    conversation.refresh_from_db()
    assert conversation.taken_over_by is None and not conversation.assistant_silent
    assert LogEntry.objects.filter(object_pk=str(conversation.pk), content_type__model="conversation").count() == 2


def test_a_staff_reply_reaches_the_stand_in_from_the_clinic_number_and_is_logged(
    conversation, alpha, alpha_manager_client, graph_standin, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha_manager_client.post(
            f"/admin/messaging/conversation/{conversation.pk}/reply/", {"text": "Dr Lee is in at 3pm"}
        )
    assert response.status_code == 302
    [sent] = graph_standin.sent
    assert sent["phone_number_id"] == "106540352242922" and sent["to"] == "85291234567"
    assert sent["payload"]["text"]["body"] == "Dr Lee is in at 3pm"
    connection.set_tenant(alpha)
    reply = Message.objects.get(direction="out")
    assert reply.sent_by.username == "manager@alpha.test" and reply.status == "sent"
    assert LogEntry.objects.get(content_type__model="message").actor == reply.sent_by


def test_a_failed_send_shows_a_cross_with_the_reason_in_the_thread(conversation, alpha_manager_client):
    connection.set_schema("alpha")
    Message.objects.create(
        conversation=conversation,
        direction="out",
        text="hi",
        status="failed",
        error_code=131026,
        error_title="Message undeliverable",
    )
    connection.set_schema_to_public()
    page = alpha_manager_client.get(f"/admin/messaging/conversation/{conversation.pk}/change/").content.decode()
    assert "✗" in page and "131026 Message undeliverable" in page


def test_staff_of_beta_see_nothing_of_alphas_inbox(conversation, beta_manager_client):
    listing = beta_manager_client.get("/admin/messaging/conversation/")
    assert listing.status_code == 200 and "Chan Tai Man" not in listing.content.decode()
    assert beta_manager_client.get(f"/admin/messaging/conversation/{conversation.pk}/change/").status_code == 404
    assert beta_manager_client.get(f"/admin/messaging/conversation/{conversation.pk}/poll/").status_code == 404
    assert beta_manager_client.post(f"/admin/messaging/conversation/{conversation.pk}/take-over/").status_code == 404
    connection.set_schema("alpha")
    assert Conversation.objects.get(pk=conversation.pk).taken_over_by is None


def test_media_is_served_decrypted_to_the_clinic_and_to_no_one_else(
    alpha, alpha_manager_client, beta_manager_client, graph_standin, eager_tasks, django_capture_on_commit_callbacks
):
    graph_standin.add_media("777", b"\x89PNG insurance card", "image/png")
    image = {
        "from": "85291234567",
        "id": "wamid.IMG",
        "timestamp": "1735718800",
        "type": "image",
        "image": {"id": "777", "mime_type": "image/png"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(envelope(messages=[image]))
    connection.set_tenant(alpha)
    attachment = Attachment.objects.get()
    connection.set_schema_to_public()
    url = f"/admin/messaging/conversation/attachment/{attachment.pk}/"
    response = alpha_manager_client.get(url)
    assert response.status_code == 200 and response.content == b"\x89PNG insurance card"
    assert beta_manager_client.get(url).status_code == 404
    assert clinic_client("alpha").get(url).status_code == 302  # not signed in: to the login page
