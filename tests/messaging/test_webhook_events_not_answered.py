"""Reactions and system notices reach staff, not the assistant; an order goes to staff with a word to the patient."""

import pytest

from messaging.models import Conversation, Message, WebhookEvent


def _answers() -> list[str]:
    return list(Message.objects.filter(direction=Message.Direction.OUT).values_list("text", flat=True))


@pytest.mark.parametrize("name", ["reaction", "system_customer_identity_changed"])
def test_an_event_that_is_not_a_question_gets_no_answer_from_the_assistant(name, deliver):
    deliver(name)

    assert Message.objects.filter(direction=Message.Direction.IN).count() == 1
    assert _answers() == []


@pytest.mark.parametrize("name", ["reaction_removed_without_emoji", "reaction_removed_empty_emoji"])
def test_a_reaction_taken_back_is_neither_stored_nor_answered(name, deliver):
    deliver(name)

    assert not Message.objects.exists()
    assert WebhookEvent.objects.get().processed_at is not None


@pytest.mark.parametrize("name", ["reaction_removed_without_emoji", "reaction_removed_empty_emoji"])
def test_a_reaction_taken_back_removes_the_reaction_staff_saw(name, deliver):
    deliver("reaction", name)  # 👍 on our message, then the patient takes it back

    assert not Message.objects.filter(kind=Message.Kind.REACTION).exists()


def test_an_order_from_the_catalogue_is_handed_to_staff(deliver):
    deliver("order_catalogue")

    conversation = Conversation.objects.get()
    assert conversation.waiting_for_staff and "order" in conversation.urgent_reason


@pytest.mark.parametrize("name", ["unsupported_with_errors", "unknown_type_with_errors"])
def test_a_message_whatsapp_cannot_show_us_still_gets_an_answer(name, deliver):
    deliver(name)  # the patient did write something: the assistant says what it can do

    assert _answers() != []
