"""The Vertex AI stand-in, driven by the real google-genai client as ARCHITECTURE.md describes."""

import json

import google.oauth2.credentials
import httpx
import pytest
from google import genai
from google.genai import errors, types

from smartclinic.standins.vertex import DEFAULT_READING, VertexStandIn, generate_content_response

MODEL = "gemini-2.5-flash"
SCHEMA = {
    "type": "object",
    "properties": {"intent": {"type": "string"}, "language": {"type": "string"}, "date": {"type": ["string", "null"]}},
    "required": ["intent", "language"],
}
CONFIG = types.GenerateContentConfig(response_mime_type="application/json", response_json_schema=SCHEMA)


@pytest.fixture
def vertex():
    with VertexStandIn() as standin:
        yield standin


def client_for(standin: VertexStandIn, timeout_ms: int | None = None) -> genai.Client:
    return genai.Client(
        vertexai=True,
        project="p",
        location="asia-east2",
        credentials=google.oauth2.credentials.Credentials(token="t"),
        http_options=types.HttpOptions(base_url=standin.url, timeout=timeout_ms),
    )


def ask(standin: VertexStandIn, text: str, timeout_ms: int | None = None):
    client = client_for(standin, timeout_ms)  # a temporary Client closes its HTTP client when collected
    return client.models.generate_content(model=MODEL, contents=text, config=CONFIG)


def test_a_scripted_answer_comes_back_as_response_parsed(vertex):
    vertex.answer_with({"intent": "book_appointment", "language": "zh-HK", "date": "2026-11-20"})

    response = ask(vertex, "我想約聽日睇陳醫生")

    assert response.parsed == {"intent": "book_appointment", "language": "zh-HK", "date": "2026-11-20"}
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    assert response.usage_metadata.total_token_count > 0


def test_scripted_answers_are_given_in_order_then_the_default_reading(vertex):
    vertex.answer_with({"intent": "greeting", "language": "en"})
    vertex.answer_with({"intent": "thanks", "language": "en"})

    intents = [ask(vertex, "hi").parsed["intent"] for _ in range(3)]

    assert intents == ["greeting", "thanks", "unknown"]


def test_with_an_empty_script_the_default_reading_is_unknown_with_low_confidence(vertex):
    response = ask(vertex, "hello")

    assert response.parsed == DEFAULT_READING


def test_the_request_carries_the_bearer_token_the_text_and_the_json_schema(vertex):
    ask(vertex, "cancel my booking")

    request = vertex.requests[0]
    assert request["path"] == (
        f"/v1beta1/projects/p/locations/asia-east2/publishers/google/models/{MODEL}:generateContent"
    )
    assert request["headers"]["authorization"] == "Bearer t"
    assert request["json"]["contents"][0]["parts"][0]["text"] == "cancel my booking"
    assert request["json"]["generationConfig"]["responseJsonSchema"] == SCHEMA
    assert request["json"]["generationConfig"]["responseMimeType"] == "application/json"


def test_a_server_error_raises_google_genai_server_error(vertex):
    vertex.fail_next(status=500)

    with pytest.raises(errors.ServerError) as raised:
        ask(vertex, "hello")

    assert raised.value.code == 500


def test_a_quota_error_raises_client_error_with_resource_exhausted(vertex):
    vertex.fail_next(status=429)

    with pytest.raises(errors.ClientError) as raised:
        ask(vertex, "hello")

    assert raised.value.status == "RESOURCE_EXHAUSTED"


def test_a_malformed_answer_leaves_parsed_empty_and_the_text_readable(vertex):
    vertex.answer_raw('{"intent": "book_appo')

    response = ask(vertex, "hello")

    assert response.parsed is None
    assert response.text == '{"intent": "book_appo'


def test_a_slow_answer_trips_the_client_timeout(vertex):
    vertex.delay_next(1.0)

    with pytest.raises(Exception) as raised:
        ask(vertex, "hello", timeout_ms=200)

    # google-genai 3.6 sends through httpx2, so this is httpx2.ReadTimeout, not httpx's.
    assert "Timeout" in type(raised.value).__name__


def test_a_cassette_replays_the_recorded_response_whose_match_is_in_the_user_text(tmp_path):
    recorded = generate_content_response(json.dumps({"intent": "queue_status", "language": "zh-HK"}))
    cassette = tmp_path / "vertex.json"
    cassette.write_text(
        json.dumps([{"match": "排到幾多號", "response": recorded}], ensure_ascii=False), encoding="utf-8"
    )

    with VertexStandIn.from_cassette(cassette) as vertex:
        matched = ask(vertex, "而家排到幾多號？")
        unmatched = ask(vertex, "hello")

    assert matched.parsed == {"intent": "queue_status", "language": "zh-HK"}
    assert unmatched.parsed == DEFAULT_READING


def test_another_process_can_script_an_answer_over_http(vertex):
    httpx.post(vertex.url + "/_control/answer", json={"answer": {"intent": "opt_out", "language": "en"}})

    assert ask(vertex, "STOP").parsed == {"intent": "opt_out", "language": "en"}


def test_a_call_without_a_bearer_token_is_refused(vertex):
    path = f"/v1beta1/projects/p/locations/asia-east2/publishers/google/models/{MODEL}:generateContent"

    answer = httpx.post(vertex.url + path, json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})

    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
