"""Celery doors into messaging.services: process stored webhook events, send, sweep."""

import logging
import time
from datetime import timedelta

from smartclinic.celery import ClinicTask, PublicTask, app

log = logging.getLogger(__name__)
EAGER_TRIES = 8


@app.task(base=ClinicTask, bind=True, max_retries=None)
def process_event(self, keys: list[str]) -> None:
    from messaging import services

    waiting = [key for key in keys if not services.process_event(key=key)]
    if waiting and not self.request.is_eager:
        raise self.retry(args=(waiting,), countdown=3)  # the sweep also re-queues them after a minute


@app.task(base=ClinicTask, bind=True, max_retries=None)
def send_message(self, message_id: int) -> None:
    from messaging import services

    outcome = services.send_queued(message_id=message_id)
    if self.request.is_eager:  # `manage.py chat` and tests run in-process: wait briefly instead of re-queueing
        for _ in range(EAGER_TRIES):
            if outcome.done:
                break
            time.sleep(min(outcome.retry_in or 0, 0.2))
            outcome = services.send_queued(message_id=message_id)
    if not outcome.done:
        raise self.retry(countdown=outcome.retry_in)


@app.task(base=ClinicTask)
def notify_staff(conversation_id: int) -> None:
    from messaging import services

    services.email_managers(conversation_id=conversation_id)


@app.task(base=ClinicTask)
def mark_read(phone_number_id: str, wamid: str) -> None:
    from clinics.models import WhatsAppNumber
    from messaging import graph

    number = WhatsAppNumber.objects.filter(phone_number_id=phone_number_id).first()
    token = number.access_token if number else ""
    try:
        graph.GraphClient(phone_number_id=phone_number_id, access_token=token).mark_read(wamid=wamid)
    except graph.GraphError as error:  # a missing blue tick is not worth a retry storm
        log.info("mark-as-read failed with code %s", error.code)


@app.task(base=ClinicTask)
def sweep_clinic() -> None:
    """Re-queue what a dead worker left: events not processed and outbound rows not sent."""
    from messaging import services

    keys = services.unprocessed_keys(older_than=timedelta(minutes=1))
    if keys:
        process_event.delay_on_commit(keys)
    for message_id in services.stuck_outbound_ids(older_than=timedelta(minutes=1)):
        send_message.delay_on_commit(message_id)


@app.task(base=PublicTask)
def sweep() -> None:
    from clinics.models import Clinic

    for schema_name in (
        Clinic.objects.filter(status=Clinic.Status.ACTIVE)
        .exclude(schema_name="public")
        .values_list("schema_name", flat=True)
    ):
        sweep_clinic.delay_for(schema_name)
