"""A conversation handed to staff emails the clinic's managers a link, and nothing of the patient's words."""

import re

import pytest
from django.db import connection

from messaging import services
from messaging.models import Message
from tests.messaging.messaging_factories import ConversationFactory


@pytest.fixture
def conversation(in_alpha):
    conversation = ConversationFactory(patient__wa_id="85291234567", patient__name="Chan Tai Man")
    Message.objects.create(
        conversation=conversation, direction="in", kind="text", text="chest pain A******(*)", status="received"
    )
    return conversation


def _hand(conversation, capture, **kwargs):
    with capture(execute=True):
        services.hand_to_staff(conversation=conversation, reason=kwargs.pop("reason", "asked"), **kwargs)


def test_an_urgent_handover_emails_alphas_managers_a_link_to_the_thread(
    conversation, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    _hand(conversation, django_capture_on_commit_callbacks, urgent=True)
    [email] = mailoutbox
    assert email.to == ["manager@alpha.test"]
    assert "Urgent" in email.subject
    assert re.search(rf"//alpha\.localhost(:\d+)?/admin/messaging/conversation/{conversation.pk}/change/", email.body)


def test_the_link_in_the_email_opens_the_site_on_the_port_it_runs_on(
    conversation, eager_tasks, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_SCHEME, settings.SITE_PORT = "http", "8123"  # `make run` with PORT=8123
    _hand(conversation, django_capture_on_commit_callbacks, urgent=True)
    [email] = mailoutbox
    assert f"http://alpha.localhost:8123/admin/messaging/conversation/{conversation.pk}/change/" in email.body


def test_the_email_holds_no_patient_name_number_or_words(
    conversation, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    _hand(conversation, django_capture_on_commit_callbacks, reason="chest pain", urgent=True)
    [email] = mailoutbox
    for secret in ("85291234567", "91234567", "Chan Tai Man", "chest pain"):
        assert secret not in email.subject and secret not in email.body


def test_a_conversation_already_waiting_is_not_emailed_again(
    conversation, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    _hand(conversation, django_capture_on_commit_callbacks)
    _hand(conversation, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1 and "waiting" in mailoutbox[0].subject


def test_a_waiting_conversation_turning_urgent_is_emailed_again(
    conversation, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    _hand(conversation, django_capture_on_commit_callbacks)
    _hand(conversation, django_capture_on_commit_callbacks, urgent=True)
    assert [("Urgent" in email.subject) for email in mailoutbox] == [False, True]


def test_no_email_goes_out_when_staff_handed_back_before_it_was_sent(conversation, mailoutbox):
    conversation.waiting_for_staff = False
    conversation.save()
    assert services.email_managers(conversation_id=conversation.pk) == 0 and mailoutbox == []


def test_betas_managers_get_nothing_of_alphas_patients(
    conversation, beta, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    _hand(conversation, django_capture_on_commit_callbacks, urgent=True)
    assert all("beta" not in address for email in mailoutbox for address in email.to)
    connection.set_tenant(beta)
    assert services.email_managers(conversation_id=conversation.pk) == 0
