"""Two status reports for one reply, processed at once before its wamid is on the row, must both count.

That happens when the worker that sent a reply died after Meta accepted it (the row has no wamid;
Meta's biz_opaque_callback_data names it) and Meta's `delivered` and `read` arrive together, or
arrive before the send task's own UPDATE. The fault-injection test meets it now and then; this
test makes it happen every time: `delivered` holds the row while `read` is processed.
"""

import threading
import time

from django.db import connection, connections, transaction
from django.utils import timezone

from clinics.models import Clinic
from messaging import services
from messaging.models import Message
from tests.messaging.messaging_factories import ALPHA_NUMBER, OutboundFactory

WAMID = "wamid.RACE.1"


def _status_value(status: str, message_pk: int) -> dict:
    return {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "85230012345", "phone_number_id": ALPHA_NUMBER},
        "statuses": [
            {
                "id": WAMID,
                "status": status,
                "timestamp": str(int(timezone.now().timestamp())),
                "recipient_id": "85291234567",
                "biz_opaque_callback_data": f"{services.CALLBACK_PREFIX}{message_pk}",
            }
        ],
    }


def test_a_read_processed_while_an_earlier_status_holds_the_row_is_not_lost(committed_db):
    alpha = Clinic.objects.get(slug="alpha")
    connection.set_tenant(alpha)
    message = OutboundFactory(status=Message.Status.SENDING, claimed_at=timezone.now())  # sent, wamid not recorded
    keys = {}
    for status in ("delivered", "read"):
        events = services.events_from_value(_status_value(status, message.pk))
        keys[status] = services.store_webhook_events(schema_name="alpha", phone_number_id=ALPHA_NUMBER, events=events)[
            0
        ]
    connection.set_schema_to_public()
    holding = threading.Event()
    errors = []

    def delivered_holds_the_row():
        try:
            connection.set_tenant(alpha)
            with transaction.atomic():
                services.process_event(key=keys["delivered"])
                holding.set()
                time.sleep(1.0)  # `read` is processed meanwhile and waits for this row
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            holding.set()
            connections.close_all()

    def read_meanwhile():
        try:
            holding.wait(10)
            connection.set_tenant(alpha)
            services.process_event(key=keys["read"])
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=delivered_holds_the_row), threading.Thread(target=read_meanwhile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    connection.set_tenant(alpha)
    message.refresh_from_db()
    assert (message.wamid, message.status) == (WAMID, Message.Status.READ)
