"""The Graph API stand-in, driven with httpx exactly as our WhatsApp client talks to Meta."""

import hashlib
import hmac
import json
import time

import httpx
import pytest

from smartclinic.standins.base import Request, Response, StandIn, json_response
from smartclinic.standins.graph import PLACEHOLDER_PNG, GraphStandIn

PHONE_NUMBER_ID = "106540352242922"
PATIENT = "85291234567"
SEND = f"/v23.0/{PHONE_NUMBER_ID}/messages"


@pytest.fixture
def graph():
    with GraphStandIn() as standin:
        yield standin


@pytest.fixture
def client(graph):
    with httpx.Client(base_url=graph.url, headers={"Authorization": "Bearer test-token"}) as http:
        yield http


def message(kind: str, body, **extra) -> dict:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": PATIENT,
        "type": kind,
        kind: body,
        **extra,
    }


def buttons(*titles: str) -> dict:
    return {
        "type": "button",
        "body": {"text": "Which time suits you?"},
        "action": {
            "buttons": [{"type": "reply", "reply": {"id": f"slot-{i}", "title": t}} for i, t in enumerate(titles)]
        },
    }


def slot_list(rows_per_section: list[int], row_title: str = "10:30") -> dict:
    sections = [
        {
            "title": f"Day {s}",
            "rows": [{"id": f"slot-{s}-{r}", "title": row_title, "description": "Dr Chan"} for r in range(count)],
        }
        for s, count in enumerate(rows_per_section)
    ]
    return {
        "type": "list",
        "body": {"text": "Pick a slot"},
        "action": {"button": "See times", "sections": sections},
    }


ACCEPTED = {
    "text": message("text", {"body": "你好，請問想預約哪一天？", "preview_url": False}),
    "reply to a message": message("text", {"body": "OK"}, context={"message_id": "wamid.ABC"}),
    "reply buttons": message("interactive", buttons("Mon 10:30", "Tue 11:00", "Other time")),
    "list": message("interactive", slot_list([5, 5])),
    "template": message(
        "template",
        {
            "name": "appointment_reminder",
            "language": {"code": "zh_HK"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "明天 10:30"}]}],
        },
    ),
    "image": message("image", {"id": "1203847561928374", "caption": "Map"}),
    "document": message("document", {"link": "https://example.test/receipt.pdf", "filename": "receipt.pdf"}),
    "audio": message("audio", {"id": "1203847561928375"}),
    "reaction": message("reaction", {"message_id": "wamid.ABC", "emoji": "👍"}),
    "location": message("location", {"latitude": 22.28, "longitude": 114.15, "name": "Clinic"}),
}


@pytest.mark.parametrize("payload", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_each_message_type_we_send_is_accepted_with_a_wamid(graph, client, payload):
    answer = client.post(SEND, json=payload)

    assert answer.status_code == 200
    body = answer.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": PATIENT, "wa_id": PATIENT}]
    assert body["messages"][0]["id"].startswith("wamid.")
    assert graph.sent[-1]["wamid"] == body["messages"][0]["id"]
    assert graph.sent[-1]["payload"] == payload


def test_every_send_gets_a_different_wamid(client):
    first = client.post(SEND, json=ACCEPTED["text"]).json()["messages"][0]["id"]
    second = client.post(SEND, json=ACCEPTED["text"]).json()["messages"][0]["id"]

    assert first != second


def test_a_send_without_a_bearer_token_is_refused_with_code_190(graph):
    answer = httpx.post(graph.url + SEND, json=ACCEPTED["text"])

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == 190
    assert answer.json()["error"]["type"] == "OAuthException"
    assert graph.sent == []


def test_a_list_with_more_than_ten_rows_in_total_is_rejected_in_metas_error_shape(graph, client):
    answer = client.post(SEND, json=message("interactive", slot_list([6, 5])))

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == 131009
    assert error["type"] == "OAuthException"
    assert "10" in error["error_data"]["details"]
    assert error["fbtrace_id"]
    assert graph.sent == []


def test_a_list_row_title_longer_than_24_characters_is_rejected(client):
    answer = client.post(SEND, json=message("interactive", slot_list([1], row_title="x" * 25)))

    assert answer.json()["error"]["code"] == 131009


def test_a_button_title_longer_than_20_characters_is_rejected(client):
    answer = client.post(SEND, json=message("interactive", buttons("Tuesday morning 10:30am")))

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 131009
    assert "20" in answer.json()["error"]["error_data"]["details"]


def test_four_reply_buttons_are_rejected(client):
    answer = client.post(SEND, json=message("interactive", buttons("A", "B", "C", "D")))

    assert answer.json()["error"]["code"] == 131009


def test_a_template_without_a_language_code_is_rejected_as_missing(client):
    answer = client.post(SEND, json=message("template", {"name": "appointment_reminder"}))

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 131008


def test_a_send_without_messaging_product_is_rejected_with_code_100(client):
    payload = {key: value for key, value in ACCEPTED["text"].items() if key != "messaging_product"}

    answer = client.post(SEND, json=payload)

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 100


def test_marking_a_message_read_answers_success(graph, client):
    answer = client.post(SEND, json={"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.ABC"})

    assert answer.json() == {"success": True}
    assert graph.sent == []
    assert graph.read_receipts[0]["payload"]["message_id"] == "wamid.ABC"


def test_an_injected_throughput_error_answers_429_with_code_130429_then_sends_again(graph, client):
    graph.fail_with_code(130429)

    refused = client.post(SEND, json=ACCEPTED["text"])
    accepted = client.post(SEND, json=ACCEPTED["text"])

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == 130429
    assert accepted.status_code == 200
    assert len(graph.sent) == 1


def test_an_injected_undeliverable_error_answers_400_with_code_131026(graph, client):
    graph.fail_with_code(131026)

    answer = client.post(SEND, json=ACCEPTED["text"])

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 131026


def test_another_process_can_queue_failures_over_http(graph, client):
    httpx.post(graph.url + "/_control/fail", json={"count": 2, "status": 500})

    statuses = [client.post(SEND, json=ACCEPTED["text"]).status_code for _ in range(3)]

    assert statuses == [500, 500, 200]


def test_a_failure_rate_fails_a_repeatable_share_of_calls(graph, client):
    graph.fail_rate(0.5, status=503, seed=7)

    statuses = [client.post(SEND, json=ACCEPTED["text"]).status_code for _ in range(20)]

    assert 3 <= statuses.count(503) <= 17
    assert set(statuses) == {200, 503}


def test_reset_over_http_forgets_faults_and_sends(graph, client):
    client.post(SEND, json=ACCEPTED["text"])
    graph.fail_next(5)

    httpx.post(graph.url + "/_control/reset")

    assert graph.sent == []
    assert client.post(SEND, json=ACCEPTED["text"]).status_code == 200


def test_sends_can_be_listed_by_recipient_over_http(graph, client):
    client.post(SEND, json=ACCEPTED["text"])
    client.post(SEND, json={**ACCEPTED["text"], "to": "85261234567"})

    listed = httpx.get(graph.url + "/_control/sent", params={"to": PATIENT}).json()

    assert [entry["to"] for entry in listed] == [PATIENT]
    assert listed[0]["phone_number_id"] == PHONE_NUMBER_ID


def test_every_request_is_recorded_with_lower_cased_headers(graph, client):
    client.post(SEND, json=ACCEPTED["text"])

    recorded = httpx.get(graph.url + "/_control/requests").json()

    assert recorded[0]["path"] == SEND
    assert recorded[0]["headers"]["authorization"] == "Bearer test-token"
    assert recorded[0]["json"]["to"] == PATIENT


def test_media_downloads_with_the_bearer_token_and_is_refused_without(graph, client):
    graph.add_media("555", b"%PDF-1.4 receipt", "application/pdf")

    info = client.get("/v23.0/555").json()
    download = client.get(info["url"])
    anonymous = httpx.get(info["url"])

    assert info["mime_type"] == "application/pdf"
    assert info["file_size"] == len(b"%PDF-1.4 receipt")
    assert info["sha256"] == hashlib.sha256(b"%PDF-1.4 receipt").hexdigest()
    assert download.content == b"%PDF-1.4 receipt"
    assert download.headers["content-type"] == "application/pdf"
    assert anonymous.status_code == 401


def test_an_unknown_media_id_from_a_webhook_fixture_downloads_a_placeholder_png(client):
    info = client.get("/v23.0/1203847561928374").json()

    download = client.get(info["url"])

    assert download.content == PLACEHOLDER_PNG
    assert download.content.startswith(b"\x89PNG")


def test_an_uploaded_file_can_be_downloaded_by_its_new_id(client):
    uploaded = client.post(
        f"/v23.0/{PHONE_NUMBER_ID}/media",
        data={"messaging_product": "whatsapp", "type": "application/pdf"},
        files={"file": ("receipt.pdf", b"%PDF-1.4 uploaded", "application/pdf")},
    ).json()

    info = client.get(f"/v23.0/{uploaded['id']}").json()

    assert info["mime_type"] == "application/pdf"
    assert client.get(info["url"]).content == b"%PDF-1.4 uploaded"


def test_free_form_outside_the_window_is_refused_with_131047_but_a_template_is_sent(client):
    with GraphStandIn(window_enforced=True) as graph:
        http = httpx.Client(base_url=graph.url, headers={"Authorization": "Bearer t"})

        free_form = http.post(SEND, json=ACCEPTED["text"])
        template = http.post(SEND, json=ACCEPTED["template"])

    assert free_form.status_code == 400
    assert free_form.json()["error"]["code"] == 131047
    assert template.status_code == 200


def test_a_patient_message_opens_the_window_for_free_form_replies(graph, client):
    httpx.post(graph.url + "/_control/window", json={"enforced": True})
    httpx.post(graph.url + "/_control/window/open", json={"phone_number_id": PHONE_NUMBER_ID, "wa_id": PATIENT})

    answer = client.post(SEND, json=ACCEPTED["text"])

    assert answer.status_code == 200


def test_a_window_opened_more_than_24_hours_ago_is_closed(graph, client):
    graph.window_enforced = True
    graph.open_window(PHONE_NUMBER_ID, PATIENT, at=time.time() - 25 * 3600)

    answer = client.post(SEND, json=ACCEPTED["text"])

    assert answer.json()["error"]["code"] == 131047


class _Webhook(StandIn):
    """Our webhook's place: keeps each raw body and its signature header."""

    def __init__(self):
        super().__init__()
        self.deliveries: list[tuple[bytes, str]] = []

    def route(self, request: Request) -> Response:
        self.deliveries.append((request.body, request.headers.get("x-hub-signature-256", "")))
        return json_response(200, {})


def statuses_posted(count: int, fail_delivery: int | None = None) -> list[dict]:
    """Send one text through a Graph stand-in wired to a webhook; the status reports it posted, signature checked."""
    webhook = _Webhook().start()
    with webhook, GraphStandIn(webhook_url=webhook.url, app_secret="s3cret", callback_delay=0.01) as graph:
        if fail_delivery:
            graph.fail_delivery_next(fail_delivery)
        httpx.post(graph.url + SEND, json=ACCEPTED["text"], headers={"Authorization": "Bearer t"})
        deadline = time.monotonic() + 5
        while len(webhook.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        wamid = graph.sent[0]["wamid"]

    reports = []
    for body, signature in webhook.deliveries:
        assert signature == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        value = json.loads(body)["entry"][0]["changes"][0]["value"]
        assert value["metadata"]["phone_number_id"] == PHONE_NUMBER_ID
        assert value["statuses"][0]["id"] == wamid
        reports.append(value["statuses"][0])
    return reports


def test_after_a_send_signed_sent_then_delivered_statuses_reach_the_webhook():
    reports = statuses_posted(count=2)

    assert [report["status"] for report in reports] == ["sent", "delivered"]
    assert reports[0]["recipient_id"] == PATIENT


def test_a_failed_delivery_is_reported_by_a_signed_failed_status_with_the_error_code():
    reports = statuses_posted(count=1, fail_delivery=131026)

    assert [report["status"] for report in reports] == ["failed"]
    assert reports[0]["errors"][0]["code"] == 131026
