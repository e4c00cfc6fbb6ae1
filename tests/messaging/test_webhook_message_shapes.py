"""Details of Meta's message shapes that the fixture table does not show: replies, numbers, senders."""

from datetime import UTC, datetime

import pytest

from clinics.frontdesk.models import Patient
from messaging.models import Conversation, Message


@pytest.mark.parametrize("name", ["text_reply_to_our_message", "interactive_nfm_reply_flow"])
def test_a_reply_keeps_the_id_of_our_message_it_answers(name, deliver):
    deliver(name)

    reply = Message.objects.get(direction=Message.Direction.IN)
    assert reply.reply_to == "wamid.HBgLODUyOTEyMzQ1NjcVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"


def test_a_timestamp_sent_as_a_number_is_read_like_one_sent_as_text(deliver):
    deliver("text_with_identity_and_int_timestamp")

    assert Conversation.objects.get().last_inbound_at == datetime.fromtimestamp(1735720280, tz=UTC)


def test_a_message_without_contacts_still_finds_its_patient_by_sender(deliver):
    deliver("text_without_contacts")

    assert list(Patient.objects.values_list("wa_id", "name")) == [("85261234567", "")]


def test_a_message_with_no_phone_number_stores_nothing(deliver):
    deliver("system_user_changed_user_id")  # a BSUID change: Meta names no phone number

    assert not Patient.objects.exists() and not Message.objects.exists()
