"""Outbound: a row first, then one claimed send; retries on throttling, none on permanent errors."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from messaging import services
from messaging.models import Message
from messaging.tasks import send_message, sweep_clinic
from tests.messaging.messaging_factories import ConversationFactory, OutboundFactory, PatientFactory


@pytest.fixture
def conversation(in_alpha, graph_standin, eager_tasks):
    return ConversationFactory(patient__wa_id="85291234567")


def _queued_and_sent(django_capture_on_commit_callbacks, queue):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    message.refresh_from_db()
    return message


def test_queue_text_writes_the_row_then_the_stand_in_receives_it(
    conversation, graph_standin, django_capture_on_commit_callbacks
):
    message = _queued_and_sent(
        django_capture_on_commit_callbacks, lambda: services.queue_text(conversation=conversation, text="Hello 你好")
    )
    [sent] = graph_standin.sent
    assert sent["to"] == "85291234567" and sent["payload"]["text"]["body"] == "Hello 你好"
    assert sent["payload"]["biz_opaque_callback_data"] == f"smartclinic:{message.pk}"
    assert (message.status, message.wamid, message.attempts) == ("sent", sent["wamid"], 1)
    connection.set_schema("beta")
    assert not Message.objects.exists()


def test_buttons_and_lists_go_out_as_interactive_messages(
    conversation, graph_standin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_buttons(conversation=conversation, text="Book?", buttons=[("yes", "Yes"), ("no", "No")])
        services.queue_list(
            conversation=conversation, text="When?", button="Times", sections=[("Fri", [("s1", "15:30", "")])]
        )
    assert [s["payload"]["interactive"]["type"] for s in graph_standin.sent] == ["button", "list"]


def test_a_throttled_send_is_retried_and_sent_once(conversation, graph_standin, django_capture_on_commit_callbacks):
    graph_standin.fail_with_code(130429)
    message = _queued_and_sent(
        django_capture_on_commit_callbacks, lambda: services.queue_text(conversation=conversation, text="later")
    )
    assert len(graph_standin.sent) == 1
    assert (message.status, message.attempts, message.error_code) == ("sent", 2, None)


def test_a_429_without_metas_code_is_retried(conversation, graph_standin, django_capture_on_commit_callbacks):
    graph_standin.fail_next(status=429, body={})
    message = _queued_and_sent(
        django_capture_on_commit_callbacks, lambda: services.queue_text(conversation=conversation, text="later")
    )
    assert message.status == "sent" and len(graph_standin.sent) == 1


def test_131047_is_not_retried_and_the_reason_stays_on_the_row(
    conversation, graph_standin, django_capture_on_commit_callbacks
):
    graph_standin.fail_with_code(131047)
    message = _queued_and_sent(
        django_capture_on_commit_callbacks, lambda: services.queue_text(conversation=conversation, text="hi")
    )
    assert (message.status, message.error_code, message.attempts) == ("failed", 131047, 1)
    assert "Re-engagement" in message.error_title
    assert len(graph_standin.requests) == 1


def test_free_text_outside_the_24_hour_window_is_never_sent(
    conversation, graph_standin, django_capture_on_commit_callbacks
):
    conversation.last_inbound_at = timezone.now() - timedelta(hours=25)
    conversation.save()
    message = _queued_and_sent(
        django_capture_on_commit_callbacks, lambda: services.queue_text(conversation=conversation, text="hi")
    )
    assert message.status == "failed" and "24 hours" in message.error_title
    assert graph_standin.requests == []


def test_notify_patient_picks_the_template_outside_the_window(
    conversation, graph_standin, django_capture_on_commit_callbacks
):
    conversation.last_inbound_at = timezone.now() - timedelta(days=3)
    conversation.save()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.notify_patient(
            patient=conversation.patient, text="See you tomorrow", template="appointment_reminder", parameters=["10:30"]
        )
    assert message.kind == "template"
    assert graph_standin.sent[0]["payload"]["template"]["name"] == "appointment_reminder"
    assert graph_standin.sent[0]["payload"]["template"]["language"] == {"code": "en"}


def test_notify_patient_sends_free_text_inside_the_window(
    conversation, graph_standin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_patient(
            patient=conversation.patient, text="Your turn is near", template="queue_near", parameters=[]
        )
    assert graph_standin.sent[0]["payload"]["text"]["body"] == "Your turn is near"


def test_notify_patient_sends_no_reminder_to_an_opted_out_patient(conversation, graph_standin):
    conversation.patient.opted_out_at = timezone.now()
    conversation.patient.save()
    reminder = services.notify_patient(
        patient=conversation.patient, text="x", template="appointment_reminder", parameters=[], reminder=True
    )
    assert reminder is None and not Message.objects.exists()


def test_a_send_claimed_by_one_worker_is_not_sent_by_another(conversation, graph_standin):
    message = OutboundFactory(conversation=conversation)
    claimed = Message.objects.filter(pk=message.pk, status="queued").update(status="sending", claimed_at=timezone.now())
    assert claimed == 1  # worker one holds it

    outcome = services.send_queued(message_id=message.pk)  # worker two

    assert not outcome.done and outcome.retry_in > 100  # it waits out the claim instead of sending
    assert graph_standin.requests == []


def test_a_send_abandoned_past_the_claim_timeout_is_sent_once(conversation, graph_standin, settings):
    message = OutboundFactory(conversation=conversation, status="sending")
    Message.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.WHATSAPP_SEND_CLAIM_TIMEOUT + 1)
    )
    assert services.send_queued(message_id=message.pk).done
    assert services.send_queued(message_id=message.pk).done
    assert len(graph_standin.sent) == 1


def test_metas_echo_settles_a_send_whose_worker_died_after_meta_accepted_it(conversation, graph_standin, settings):
    message = OutboundFactory(conversation=conversation, status="sending", claimed_at=timezone.now())
    status = {
        "id": "wamid.LOST",
        "status": "sent",
        "timestamp": "1735721880",
        "biz_opaque_callback_data": f"smartclinic:{message.pk}",
    }
    services._apply_status(type("Event", (), {"payload": {"status": status}})())
    Message.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(hours=1))

    assert services.send_queued(message_id=message.pk).done

    message.refresh_from_db()
    assert (message.status, message.wamid) == ("sent", "wamid.LOST")
    assert graph_standin.requests == []


def test_statuses_never_go_backwards(conversation):
    message = OutboundFactory(conversation=conversation, status="sent", wamid="wamid.OUT")
    for status in ["read", "delivered", "sent", "failed"]:
        services._apply_status(type("Event", (), {"payload": {"status": {"id": "wamid.OUT", "status": status}}})())
    message.refresh_from_db()
    assert message.status == "read" and message.read_at is not None


def test_the_number_rate_limit_defers_a_send_instead_of_sending(conversation, graph_standin, settings):
    settings.WHATSAPP_RATE_PER_SECOND = 0
    message = OutboundFactory(conversation=conversation)
    outcome = services.send_queued(message_id=message.pk)
    message.refresh_from_db()
    assert not outcome.done and 0 < outcome.retry_in <= 1.5
    assert message.status == "queued" and graph_standin.requests == []


def test_the_sweep_sends_what_was_left_queued(conversation, graph_standin, django_capture_on_commit_callbacks):
    message = OutboundFactory(conversation=conversation)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_clinic.delay()
    message.refresh_from_db()
    assert message.status == "sent" and len(graph_standin.sent) == 1


def test_queueing_a_send_from_public_is_refused(db):
    from smartclinic.celery import WrongSchemaError

    with pytest.raises(WrongSchemaError):
        send_message.delay(1)


def test_a_patient_of_beta_gets_messages_from_betas_number(
    in_alpha, graph_standin, eager_tasks, beta, django_capture_on_commit_callbacks
):
    connection.set_tenant(beta)
    conversation = ConversationFactory(patient=PatientFactory(wa_id="85261234567"), phone_number_id="")
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_text(conversation=conversation, text="from beta")
    assert graph_standin.sent[0]["phone_number_id"] == "106540352242999"


def test_the_recipient_rate_limit_keys_in_redis_hold_no_phone_number(conversation, graph_standin):
    import redis
    from django.conf import settings as django_settings

    message = OutboundFactory(conversation=conversation)
    assert services.send_queued(message_id=message.pk).done
    keys = [key.decode() for key in redis.Redis.from_url(django_settings.REDIS_URL).keys("*wa:pair*")]
    assert keys and not any("85291234567" in key for key in keys)
