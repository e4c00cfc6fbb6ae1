"""The WhatsApp webhook (public URLconf, any host) and the operator's patient simulator."""

from __future__ import annotations

import atexit
import hashlib
import hmac
import json
import logging
import os
import queue
import threading
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from clinics.models import WhatsAppNumber
from messaging import services
from messaging.tasks import process_event
from smartclinic.celery import app

log = logging.getLogger(__name__)

NUMBER_CACHE_SECONDS = 30.0
_numbers: dict[str, tuple[str | None, float]] = {}  # phone_number_id -> (clinic schema or None, expiry)
OK = b'{"ok": true}'


def clinic_schema_for(phone_number_id: str) -> str | None:
    """The schema of the active clinic owning this number, cached in-process for a few seconds."""
    now = time.monotonic()
    cached = _numbers.get(phone_number_id)
    if cached is not None and cached[1] > now:
        return cached[0]
    schema = (
        WhatsAppNumber.objects.filter(phone_number_id=phone_number_id, active=True, clinic__status="active")
        .values_list("clinic__schema_name", flat=True)
        .first()
    )
    if len(_numbers) > 10_000:  # garbage ids must not grow the cache without end
        _numbers.clear()
    _numbers[phone_number_id] = (schema, now + NUMBER_CACHE_SECONDS)
    return schema


def signature_ok(body: bytes, header: str) -> bool:
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(expected, header[7:].strip().encode("latin-1", "replace"))


def _changes(envelope) -> list[dict] | None:
    """The value of each `messages` change of a WhatsApp envelope, or None when the body is not one.

    Other fields (template reviews, account and quality updates, message echoes, chat history)
    are acknowledged and dropped: none of them is a patient writing to the clinic.
    """
    if not isinstance(envelope, dict) or envelope.get("object") != "whatsapp_business_account":
        return None
    entries = envelope.get("entry")
    if not isinstance(entries, list):
        return None
    values = []
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict) and change.get("field", "messages") == "messages":
                values.append(value)
    return values


def _not_json(constant: str):
    raise ValueError(f"{constant} is Python's JSON, not JSON: PostgreSQL's jsonb refuses it")


class WhatsAppWebhook(APIView):
    """Meta's webhook: check the signature, store each event in its clinic's schema, queue, answer 200."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the raw body is what is signed
    renderer_classes = [JSONRenderer]
    throttle_classes: list = []

    def get(self, request):
        query = request.query_params
        token = settings.WHATSAPP_VERIFY_TOKEN
        given = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and token and hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse(query.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponse(status=403)

    def post(self, request):
        return receive(request._request)


def receive(request: HttpRequest) -> HttpResponse:
    """POST: check the signature, store each event in its clinic's schema, queue it, answer 200.

    A plain function: the fast path (messaging.middleware) calls it without DRF's dispatch
    (content negotiation, authentication, throttles; ~0.1 ms of a ~1 ms request, none of which
    this view uses), and WhatsAppWebhook.post hands it the Django request.
    """
    try:
        body = request.body
    except RequestDataTooBig:
        return HttpResponse(status=413)
    if not signature_ok(body, request.META.get("HTTP_X_HUB_SIGNATURE_256", "")):
        return HttpResponse(status=403)
    try:
        values = _changes(json.loads(body, parse_constant=_not_json))
    except (ValueError, RecursionError):
        values = None
    if values is None:
        return HttpResponse(status=400)
    clean = services.needs_cleaning(body)
    for value in values:
        metadata = value.get("metadata")
        number = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
        if isinstance(number, int) and not isinstance(number, bool):
            number = str(number)
        if not isinstance(number, str) or not number.isdigit() or len(number) > 32:
            log.warning("webhook change without a usable phone_number_id")
            continue
        schema = clinic_schema_for(number)
        if schema is None:
            log.warning("webhook for an unknown phone_number_id (%d characters)", len(number))
            continue
        errors = value.get("errors")
        for error in errors[:5] if isinstance(errors, list) else []:  # Meta could not deliver something to us
            code = error.get("code") if isinstance(error, dict) else None
            log.warning("webhook change carries Meta error %s", code if isinstance(code, int) else "?")
        events = services.events_from_value(services._clean(value) if clean else value)
        if events:
            _store(schema, number, events)
    return HttpResponse(OK, content_type="application/json")  # plain: the fast path cannot render


def _store(schema: str, number: str, events: list) -> None:
    # Autocommit: the INSERT is its own transaction, and on_commit fires right after it
    # (or at the end of an enclosing transaction, as in tests).
    keys = services.store_webhook_events(schema_name=schema, phone_number_id=number, events=events)
    if keys:
        transaction.on_commit(lambda: _publish_soon(schema, keys))


# Publishing to the broker costs as much as the INSERT, so a thread of each web process does it
# right after the 200 leaves. If the process dies first, the events are already committed and
# the sweep (CELERY_BEAT_SCHEDULE "messaging-sweep") queues them within about two minutes.
# One publish costs ~0.5 ms of CPU whatever its size, as much as the rest of the request: the
# thread waits PUBLISH_WINDOW after the first delivery and sends everything that arrived
# meanwhile as one task per clinic. Under load that is one publish per several requests
# instead of one per request (bench/webhook_ack.py); when quiet it adds 50 ms before the task.
_outbox: queue.SimpleQueue = queue.SimpleQueue()
_publisher_pid: int | None = None
_publisher_lock = threading.Lock()
PUBLISH_BATCH = 50
PUBLISH_WINDOW = 0.05  # seconds


def _publish_soon(schema: str, keys: list[str]) -> None:
    global _publisher_pid  # noqa: PLW0603 - one publisher thread per process, started on first use
    if app.conf.task_always_eager:  # tests and `manage.py chat`: run the work now, in this thread
        process_event.delay_for(schema, keys)
        return
    if _publisher_pid != os.getpid():
        with _publisher_lock:
            if _publisher_pid != os.getpid():  # first use in this (possibly forked) process
                threading.Thread(target=_publish_forever, name="webhook-publisher", daemon=True).start()
                atexit.register(_publish_pending)  # a graceful worker exit sends what is still waiting
                _publisher_pid = os.getpid()
    _outbox.put((schema, keys))


def _publish_pending(first: tuple[str, list[str]] | None = None) -> None:
    """One task per clinic (of at most PUBLISH_BATCH keys) for `first` and whatever else waits in the outbox."""
    batches: dict[str, list[str]] = {}
    if first is not None:
        batches[first[0]] = list(first[1])
    while True:
        try:
            schema, keys = _outbox.get_nowait()
        except queue.Empty:
            break
        batches.setdefault(schema, []).extend(keys)
    for schema, keys in batches.items():
        for start in range(0, len(keys), PUBLISH_BATCH):
            chunk = keys[start : start + PUBLISH_BATCH]
            try:
                process_event.delay_for(schema, chunk)
            except Exception:  # the broker is down: the sweep will find the events
                log.exception("could not queue %d webhook events; the sweep will", len(chunk))


def _publish_forever() -> None:
    while True:
        first = _outbox.get()
        time.sleep(PUBLISH_WINDOW)  # under load, deliveries queued meanwhile go in the same task
        _publish_pending(first)
