"""Meta can report on a message before our send task has recorded its wamid: the status waits."""

from datetime import timedelta

from django.utils import timezone

from messaging import services
from messaging.models import Message, WebhookEvent
from tests.messaging.messaging_factories import ConversationFactory, OutboundFactory


def _status_event(wamid: str, status: str) -> WebhookEvent:
    return WebhookEvent.objects.create(
        key=f"{wamid}:{status}",
        kind=WebhookEvent.Kind.STATUS,
        phone_number_id="106540352242922",
        payload={"status": {"id": wamid, "status": status, "timestamp": "1735721880"}},
    )


def test_a_status_for_a_wamid_not_yet_recorded_waits_and_is_applied_once_it_is(in_alpha):
    message = OutboundFactory(conversation=ConversationFactory(), status="sending", claimed_at=timezone.now())
    event = _status_event("wamid.EARLY", "read")

    assert services.process_event(key=event.key) is False
    event.refresh_from_db()
    assert event.processed_at is None

    Message.objects.filter(pk=message.pk).update(status="sent", wamid="wamid.EARLY")
    assert services.process_event(key=event.key) is True
    message.refresh_from_db()
    assert message.status == "read"


def test_a_status_for_a_message_we_never_sent_is_dropped_after_the_wait(in_alpha):
    event = _status_event("wamid.STRANGER", "delivered")
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - services.STATUS_WAIT - timedelta(1))

    assert services.process_event(key=event.key) is True
    event.refresh_from_db()
    assert event.processed_at is not None
