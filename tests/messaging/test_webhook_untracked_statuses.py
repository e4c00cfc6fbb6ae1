"""Statuses Meta may send beyond sent / delivered / read / failed, and statuses of group messages."""

import pytest

from messaging.models import Message, WebhookEvent
from tests.messaging.messaging_factories import OutboundFactory

UNTRACKED = ["status_deleted", "status_warning", "status_played"]
WAMID = "wamid.HBgLODUyOTEyMzQ1NjcVAgARGBJTVEFUVVM{}MDEyMzQ1AA=="  # as in the fixtures


@pytest.mark.parametrize("name", UNTRACKED)
def test_an_untracked_status_never_moves_a_read_message_back(name, deliver, in_alpha):
    wamid = WAMID.format(name.removeprefix("status_").upper())
    message = OutboundFactory(wamid=wamid, status=Message.Status.READ)

    deliver(name)

    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.READ, None)


@pytest.mark.parametrize("name", [*UNTRACKED, "status_group_recipient"])
def test_a_status_nobody_will_claim_is_settled_at_once_instead_of_waiting(name, deliver, in_alpha):
    deliver(name)

    assert WebhookEvent.objects.get().processed_at is not None
    assert not Message.objects.exists()


def test_a_failed_status_keeps_metas_code_and_title(deliver, in_alpha):
    message = OutboundFactory(wamid="wamid.HBgLODUyOTEyMzQ1NjcVAgARGBJGQUlMRUQxMzA0NzIwMTIzNDUA", status="sent")

    deliver("status_failed_with_error_details")

    message.refresh_from_db()
    assert message.error_code == 131049 and message.error_title.startswith("This message was not delivered")
