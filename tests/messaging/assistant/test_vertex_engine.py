"""The Vertex AI engine through the real google-genai client against the local generateContent stand-in."""

import datetime
import json
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from clinics.frontdesk.models import Doctor, Patient
from messaging.assistant.engine import ClinicContext, budget_key, clinic_context, understand
from messaging.assistant.reading import READING_SCHEMA
from smartclinic.standins.vertex import VertexStandIn

CASSETTE = Path(__file__).with_name("vertex_cassette.json")
TODAY = datetime.date(2026, 11, 18)
DOCTORS = ("Dr Chan Tai Man 陳大文醫生", "Dr Wong Mei Ling 黃美玲醫生")
CONTEXT = ClinicContext(today=TODAY, doctors=DOCTORS, clinic_name="Alpha Clinic 阿爾法診所")
GOOD = {
    "intent": "book_appointment",
    "language": "zh-Hant-HK",
    "date": "2026-11-19",
    "time": "15:00",
    "part_of_day": "afternoon",
    "doctor": "Dr Wong Mei Ling 黃美玲醫生",
    "confidence": 0.91,
}


@pytest.fixture(scope="module")
def stand_in():
    with VertexStandIn.from_cassette(CASSETTE) as server:
        yield server


def forget_budgets():
    for schema in ("public", "alpha", "beta"):
        connection.set_schema(schema)
        cache.delete(budget_key(schema=schema, day=timezone.localdate()))
    connection.set_schema_to_public()


@pytest.fixture
def vertex(stand_in, settings):
    """Vertex configured and pointed at the stand-in, with fresh budgets."""
    stand_in.reset()
    settings.VERTEX_PROJECT = "smartclinic-test"
    settings.VERTEX_BASE_URL = stand_in.url
    settings.VERTEX_TIMEOUT_SECONDS = 1.0
    settings.VERTEX_DAILY_BUDGET = 100
    forget_budgets()
    yield stand_in
    forget_budgets()


def test_a_schema_conforming_answer_is_used(vertex):
    vertex.answer_with(GOOD)
    reading = understand("聽日下晝三點想睇黃醫生", clinic_context=CONTEXT)
    assert reading.engine == "vertex"
    assert (reading.intent, reading.date, reading.time, reading.doctor) == (
        "book_appointment",
        "2026-11-19",
        "15:00",
        "Dr Wong Mei Ling 黃美玲醫生",
    )
    assert len(vertex.requests) == 1


def test_a_recorded_answer_from_the_cassette_is_replayed(vertex):
    reading = understand("聽日下午三點半想睇陳醫生", clinic_context=CONTEXT)
    assert reading.engine == "vertex"
    assert (reading.intent, reading.time, reading.doctor) == ("book_appointment", "15:30", "Dr Chan Tai Man 陳大文醫生")


def test_the_request_asks_for_json_against_the_reading_schema_with_the_clinic_context(vertex):
    vertex.answer_with(GOOD)
    understand("what time do you close on saturday", clinic_context=CONTEXT)
    body = vertex.requests[-1]["json"]
    assert vertex.requests[-1]["path"].endswith("/publishers/google/models/gemini-2.5-flash:generateContent")
    assert body["generationConfig"]["responseMimeType"] == "application/json"
    assert body["generationConfig"]["responseJsonSchema"] == json.loads(json.dumps(READING_SCHEMA))
    instruction = json.dumps(body["systemInstruction"], ensure_ascii=False)
    assert "2026-11-18" in instruction
    assert "Dr Chan Tai Man 陳大文醫生" in instruction
    assert "Alpha Clinic" in instruction


def test_malformed_json_falls_back_to_offline(vertex):
    vertex.answer_raw('{"intent": "book_appointment", "language": ')
    reading = understand("book 聽日 下午 3pm 可唔可以", clinic_context=CONTEXT)
    assert reading.engine == "offline"
    assert reading.intent == "book_appointment"
    assert reading.date == "2026-11-19"


def test_an_intent_outside_the_vocabulary_falls_back_to_offline(vertex):
    vertex.answer_with({**GOOD, "intent": "sell_iphone"})
    assert understand("想約醫生", clinic_context=CONTEXT).engine == "offline"


@pytest.mark.parametrize(
    "change", [{"date": "19/11/2026"}, {"date": "2026-02-30"}, {"time": "3pm"}, {"time": "25:00"}, {"confidence": "hi"}]
)
def test_a_date_or_time_in_the_wrong_shape_falls_back_to_offline(vertex, change):
    vertex.answer_with({**GOOD, **change})
    assert understand("想約聽日三點", clinic_context=CONTEXT).engine == "offline"


def test_a_doctor_the_clinic_does_not_have_is_dropped_not_invented(vertex):
    vertex.answer_with({**GOOD, "doctor": "Dr House"})
    reading = understand("想約 dr house", clinic_context=CONTEXT)
    assert (reading.engine, reading.doctor) == ("vertex", None)


def test_a_server_error_falls_back_to_offline(vertex):
    vertex.fail_next(status=500)
    reading = understand("我想攞籌", clinic_context=CONTEXT)
    assert (reading.engine, reading.intent) == ("offline", "join_queue")
    assert vertex.requests[-1]["status"] == 500
    assert len(vertex.requests) == 1  # no retry: the patient would only wait longer


def test_a_timeout_falls_back_to_offline_within_the_timeout(vertex, settings):
    settings.VERTEX_TIMEOUT_SECONDS = 0.5
    vertex.delay_next(3)
    started = time.monotonic()
    reading = understand("幾點開門", clinic_context=CONTEXT)
    assert (reading.engine, reading.intent) == ("offline", "clinic_info")
    assert time.monotonic() - started < 2


def test_the_request_carries_no_phone_number_and_no_patient_name(vertex, in_alpha):
    Doctor.objects.create(name_en="Dr Chan Tai Man", name_zh="陳大文醫生")
    patient = Patient.objects.create(wa_id="85291234567", name="Lam Siu Ming 林小明")
    vertex.answer_with(GOOD)
    understand("唔該想約聽日下午", clinic_context=clinic_context(expecting="day"))
    sent = json.dumps(vertex.requests[-1], ensure_ascii=False)
    assert "Dr Chan Tai Man 陳大文醫生" in sent  # the clinic's context did travel
    for secret in (patient.wa_id, "91234567", "Lam Siu Ming", "林小明"):
        assert secret not in sent


def test_once_the_daily_budget_is_spent_the_offline_engine_answers(vertex, settings):
    settings.VERTEX_DAILY_BUDGET = 2
    engines = [understand("what time do you close on saturday", clinic_context=CONTEXT).engine for _ in range(4)]
    assert engines == ["vertex", "vertex", "offline", "offline"]
    assert len(vertex.requests) == 2


def test_one_clinic_spending_its_budget_leaves_the_other_clinics_budget(vertex, settings, alpha, beta):
    settings.VERTEX_DAILY_BUDGET = 1
    connection.set_tenant(alpha)
    assert [understand("what time do you close on saturday", clinic_context=CONTEXT).engine for _ in range(2)] == [
        "vertex",
        "offline",
    ]
    connection.set_tenant(beta)
    assert understand("what time do you close on saturday", clinic_context=CONTEXT).engine == "vertex"


def test_safety_screen_messages_never_reach_vertex(vertex):
    for text in ("心口好痛 唞唔到氣", "STOP", "我想同真人講", "panadol 食幾多粒"):
        assert understand(text, clinic_context=CONTEXT).engine == "offline"
    assert vertex.requests == []


def test_without_a_project_the_offline_engine_answers_and_nothing_is_sent(vertex, settings):
    settings.VERTEX_PROJECT = ""
    assert understand("what time do you close on saturday", clinic_context=CONTEXT).engine == "offline"
    assert vertex.requests == []


def test_the_offline_engine_can_be_forced(vertex):
    assert understand("what time do you close on saturday", clinic_context=CONTEXT, engine="offline").engine == (
        "offline"
    )
    assert vertex.requests == []
