"""Meta's `user_changed_number` system message: the patient's record and conversation follow them."""

import logging

import pytest
from auditlog.models import LogEntry

from clinics.frontdesk.models import Patient
from messaging import services
from messaging.models import Conversation, Message
from tests.messaging.messaging_factories import ConversationFactory, PatientFactory

CHANGES = {  # fixture -> (old number, new number); Meta calls the new one `new_wa_id`, or `wa_id` since v12
    "system_user_changed_number": ("85291234567", "85251234567"),
    "system_user_changed_number_wa_id": ("85261234567", "85256781234"),
}
OLD, NEW = CHANGES["system_user_changed_number"]


@pytest.fixture
def conversation(in_alpha):
    """Chan Tai Man wrote to the clinic from his old number before."""
    return ConversationFactory(patient=PatientFactory(wa_id=OLD, name="Chan Tai Man"))


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_number_change_moves_the_patient_to_the_new_number(name, deliver, in_alpha):
    old, new = CHANGES[name]
    patient = PatientFactory(wa_id=old)

    deliver(name)

    patient.refresh_from_db()
    assert patient.wa_id == new
    assert not Patient.objects.filter(wa_id=old).exists()


def test_the_conversation_and_its_history_stay_with_the_patient(conversation, deliver):
    Message.objects.create(
        conversation=conversation, direction="in", text="Hi", wamid="wamid.EARLIER", status="received"
    )

    deliver("system_user_changed_number")

    moved = Conversation.objects.get(patient__wa_id=NEW)
    assert moved.pk == conversation.pk
    assert list(moved.messages.values_list("kind", flat=True)) == ["text", "system"]


def test_what_the_clinic_sends_afterwards_goes_to_the_new_number(
    conversation, deliver, graph_standin, django_capture_on_commit_callbacks
):
    deliver("system_user_changed_number")

    patient = Patient.objects.get(pk=conversation.patient.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_template(patient=patient, name="appointment_reminder", language="en", parameters=[])

    assert [sent["to"] for sent in graph_standin.sent] == [NEW]


def test_the_number_change_is_in_the_activity_log(conversation, deliver):
    deliver("system_user_changed_number")

    entries = LogEntry.objects.get_for_object(conversation.patient).filter(action=LogEntry.Action.UPDATE)
    assert [entry.changes_dict["wa_id"] for entry in entries] == [[OLD, NEW]]


def test_the_number_change_is_not_answered_and_opens_no_window(conversation, deliver):
    opened = conversation.last_inbound_at

    deliver("system_user_changed_number")

    conversation.refresh_from_db()
    assert not Message.objects.filter(direction=Message.Direction.OUT).exists()
    assert conversation.last_inbound_at == opened


def test_a_change_to_a_number_with_its_own_record_asks_staff_to_merge_them(conversation, deliver):
    other = PatientFactory(wa_id=NEW, name="Chan Tai Man (new phone)")

    deliver("system_user_changed_number")

    conversation.refresh_from_db()
    assert Patient.objects.get(pk=conversation.patient.pk).wa_id == OLD
    assert Patient.objects.get(pk=other.pk).wa_id == NEW
    assert conversation.waiting_for_staff and "merge" in conversation.urgent_reason


def test_a_number_change_of_someone_who_never_wrote_stores_nothing(deliver, in_alpha):
    deliver("system_user_changed_number")

    assert not Patient.objects.exists() and not Message.objects.exists()


def test_a_redelivered_number_change_changes_nothing(conversation, deliver):
    deliver("system_user_changed_number")
    before = list(Patient.objects.values_list("pk", "wa_id")), Message.objects.count()

    deliver("system_user_changed_number")

    assert (list(Patient.objects.values_list("pk", "wa_id")), Message.objects.count()) == before


def test_the_log_of_a_number_change_holds_no_phone_number(conversation, deliver, caplog):
    with caplog.at_level(logging.DEBUG):
        deliver("system_user_changed_number")

    logged = " ".join(record.getMessage() for record in caplog.records if not record.name.startswith("celery"))
    assert "moved to a new WhatsApp number" in logged
    assert OLD not in logged and NEW not in logged
