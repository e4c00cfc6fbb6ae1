"""The Graph API client against the stand-in: the exact JSON Meta receives, and typed errors."""

import pytest

from messaging import graph

PATIENT = "85291234567"
NUMBER = "106540352242922"


@pytest.fixture
def client(graph_standin):
    return graph.GraphClient(phone_number_id=NUMBER, access_token="clinic-token")


def last_sent(standin) -> dict:
    return standin.sent[-1]["payload"]


def test_text_is_sent_as_meta_expects(client, graph_standin):
    wamid = client.send_text(to=PATIENT, text="你好", reply_to="wamid.IN")
    assert wamid == graph_standin.sent[-1]["wamid"]
    assert last_sent(graph_standin) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": PATIENT,
        "type": "text",
        "text": {"body": "你好", "preview_url": False},
        "context": {"message_id": "wamid.IN"},
    }
    assert graph_standin.requests[-1]["headers"]["authorization"] == "Bearer clinic-token"
    assert graph_standin.requests[-1]["path"] == f"/v23.0/{NUMBER}/messages"


def test_reply_buttons_are_sent_as_meta_expects(client, graph_standin):
    client.send_buttons(to=PATIENT, text="Which?", buttons=[("a", "Mon 10:30"), ("b", "Tue 11:00")], footer="Clinic")
    assert last_sent(graph_standin)["interactive"] == {
        "type": "button",
        "body": {"text": "Which?"},
        "footer": {"text": "Clinic"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "a", "title": "Mon 10:30"}},
                {"type": "reply", "reply": {"id": "b", "title": "Tue 11:00"}},
            ]
        },
    }


def test_a_list_is_sent_as_meta_expects(client, graph_standin):
    client.send_list(
        to=PATIENT, text="Pick", button="Times", sections=[("Fri", [("s1", "15:30", "Dr Lee"), ("s2", "16:00", "")])]
    )
    assert last_sent(graph_standin)["interactive"] == {
        "type": "list",
        "body": {"text": "Pick"},
        "action": {
            "button": "Times",
            "sections": [
                {
                    "title": "Fri",
                    "rows": [{"id": "s1", "title": "15:30", "description": "Dr Lee"}, {"id": "s2", "title": "16:00"}],
                }
            ],
        },
    }


def test_a_template_is_sent_as_meta_expects(client, graph_standin):
    client.send_template(to=PATIENT, name="appointment_reminder", language="zh_HK", parameters=["明天 10:30"])
    assert last_sent(graph_standin)["template"] == {
        "name": "appointment_reminder",
        "language": {"code": "zh_HK"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "明天 10:30"}]}],
    }


def test_mark_as_read_is_sent_as_meta_expects(client, graph_standin):
    client.mark_read(wamid="wamid.IN")
    assert graph_standin.read_receipts[-1]["payload"] == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN",
    }


def test_media_is_downloaded_in_two_steps_with_the_token(client, graph_standin):
    graph_standin.add_media("555", b"%PDF-1.4 report", "application/pdf")
    media = client.download_media(media_id="555")
    assert media == graph.Media(b"%PDF-1.4 report", "application/pdf")
    assert [r["path"] for r in graph_standin.requests] == ["/v23.0/555", "/_media/555"]
    assert all(r["headers"]["authorization"] == "Bearer clinic-token" for r in graph_standin.requests)


def test_the_platform_token_is_used_when_the_number_has_none(graph_standin, settings):
    graph.GraphClient(phone_number_id=NUMBER).send_text(to=PATIENT, text="hi")
    assert graph_standin.requests[-1]["headers"]["authorization"] == f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"


@pytest.mark.parametrize("code", [130429, 131056, 131000, 4, 80007])
def test_throttling_and_meta_trouble_are_retryable_errors_with_metas_code(client, graph_standin, code):
    graph_standin.fail_with_code(code)
    with pytest.raises(graph.RetryableGraphError) as raised:
        client.send_text(to=PATIENT, text="hi")
    assert raised.value.code == code


@pytest.mark.parametrize("code", [131047, 131026, 132001, 190, 368, 131009])
def test_permanent_errors_are_not_retryable(client, graph_standin, code):
    graph_standin.fail_with_code(code)
    with pytest.raises(graph.PermanentGraphError) as raised:
        client.send_text(to=PATIENT, text="hi")
    assert raised.value.code == code and raised.value.title


def test_a_bare_server_error_is_retryable(client, graph_standin):
    graph_standin.fail_next(status=503, body={"oops": True})
    with pytest.raises(graph.RetryableGraphError) as raised:
        client.send_text(to=PATIENT, text="hi")
    assert raised.value.code == 503
