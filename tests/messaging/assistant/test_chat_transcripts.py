"""Whole conversations through `manage.py chat --json`: signed webhook, tasks, assistant, Graph client, stand-in.

Each test plays one patient of alpha (two doctors, its own FAQ) in Hong Kong Chinese or English and
checks one behaviour on the JSON lines the command prints, and in alpha's schema where the flow
writes something (beta never sees it).
"""

import datetime
import io
import json
import re
import sys

import holidays
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from clinics.frontdesk.models import FAQ, Appointment, Doctor, Patient, QueueTicket, WorkingHours
from clinics.frontdesk.services import book_appointment, get_or_create_patient
from messaging.models import Conversation

WA_ID = "85291234567"
CJK = re.compile(r"[\u4e00-\u9fff]")
FAQS = {
    "hours": ("診所開幾點？", "What are your opening hours?", "每日上午9時至下午6時。", "Daily 9am to 6pm."),
    "address": ("診所喺邊？", "Where is the clinic?", "尖沙咀彌敦道12號。", "12 Nathan Road, Tsim Sha Tsui."),
    "fees": (
        "診金幾錢？",
        "How much is a consultation?",
        "診金港幣350元，包兩日藥。",
        "HK$350 with two days of medicine.",
    ),
}


def open_day(offset: int = 1) -> datetime.date:
    """The first day at least `offset` days ahead that is not a Hong Kong holiday."""
    day = timezone.localdate() + datetime.timedelta(days=offset)
    while day in holidays.HK(years=day.year, categories=holidays.HK.supported_categories):
        day += datetime.timedelta(days=1)
    return day


def at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def doctors(committed_db):
    """Alpha with two doctors working 09:00-18:00 every day and an FAQ; committed, as the chat needs."""
    cache.clear()  # flood counters of earlier tests
    connection.set_schema("alpha")
    chan = Doctor.objects.create(name_en="Dr Chan Tai Man", name_zh="陳大文醫生", slot_minutes=15)
    wong = Doctor.objects.create(name_en="Dr Wong Siu Ling", name_zh="黃小玲醫生", slot_minutes=15)
    for doctor in (chan, wong):
        for weekday in range(7):
            WorkingHours.objects.create(
                doctor=doctor, weekday=weekday, starts_at=datetime.time(9), ends_at=datetime.time(18)
            )
    for topic, (question_zh, question_en, answer_zh, answer_en) in FAQS.items():
        FAQ.objects.create(
            topic=topic, question_zh=question_zh, question_en=question_en, answer_zh=answer_zh, answer_en=answer_en
        )
    connection.set_schema_to_public()
    yield chan, wong
    cache.clear()


def chat(monkeypatch, *lines: str, wa_id: str = WA_ID) -> list[dict]:
    """Each line through `manage.py chat --clinic alpha --json`; the JSON objects it printed, one per line."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()
    call_command("chat", "--clinic", "alpha", "--from", wa_id, "--json", stdout=out)
    connection.set_schema_to_public()
    turns = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [turn["in"] for turn in turns] == list(lines)
    return turns


def answers(turn: dict) -> list[dict]:
    """The replies of one turn without the one-off privacy collection notice."""
    return [reply for reply in turn["replies"] if "/privacy" not in reply.get("text", "")]


def text(turn: dict) -> str:
    return "\n".join(reply.get("text", "") for reply in answers(turn))


def ids(reply: dict) -> list[str]:
    if reply["type"] == "buttons":
        return [button["id"] for button in reply["buttons"]]
    return [row["id"] for section in reply.get("sections", []) for row in section["rows"]]


def in_alpha():
    connection.set_schema("alpha")


def in_beta():
    connection.set_schema("beta")


LANGUAGES = pytest.mark.parametrize("language", ["zh-Hant-HK", "en"])


def say(language: str, zh: str, en: str) -> str:
    return zh if language == "zh-Hant-HK" else en


# --- booking ------------------------------------------------------------------------------------
@LANGUAGES
def test_a_full_booking_with_a_doctor_choice_creates_exactly_one_appointment(doctors, monkeypatch, language):
    chan, wong = doctors
    day = open_day(2)
    start = say(language, "你好，我想預約睇醫生", "Hi, I'd like to book an appointment please")
    [first] = chat(monkeypatch, start)
    [doctor_list] = answers(first)
    assert set(ids(doctor_list)) == {f"book:doctor:{chan.pk}", f"book:doctor:{wong.pk}"}
    [picked_doctor, picked_day] = chat(monkeypatch, f"#list:book:doctor:{wong.pk}", f"#list:day:{day.isoformat()}")
    assert f"day:{day.isoformat()}" in ids(answers(picked_doctor)[0])
    slot = ids(answers(picked_day)[0])[0]
    [confirm, done] = chat(monkeypatch, f"#list:{slot}", "#button:confirm:yes")
    assert ids(answers(confirm)[0]) == ["confirm:yes", "confirm:no"]
    hhmm = slot.rsplit("T", 1)[1]
    assert hhmm in text(done) and say(language, "黃小玲醫生", "Dr Wong Siu Ling") in text(done)
    in_alpha()
    appointment = Appointment.objects.get()
    assert (appointment.doctor, appointment.starts_at, appointment.source) == (wong, at(day, hhmm), "whatsapp")
    in_beta()
    assert not Appointment.objects.exists()


@LANGUAGES
def test_a_typed_time_instead_of_a_list_press_goes_to_the_confirmation(doctors, monkeypatch, language):
    chan, _ = doctors
    day = open_day(2)
    lines = [say(language, "我想預約陳醫生", "I want to book with Dr Chan"), f"#list:day:{day.isoformat()}"]
    chat(monkeypatch, *lines)
    [typed] = chat(monkeypatch, say(language, "10點半", "10:30am"))
    [confirm] = answers(typed)
    assert confirm["type"] == "buttons" and "10:30" in confirm["text"]
    assert ids(confirm) == ["confirm:yes", "confirm:no"]


@LANGUAGES
def test_a_booking_asked_in_one_message_answers_in_the_patients_language(doctors, monkeypatch, language):
    day = open_day(2)
    line = say(language, f"book {day.day}/{day.month} 下午 3pm 可唔可以", f"can i book {day.day}/{day.month} at 3pm")
    [turn] = chat(monkeypatch, line)
    [doctor_list] = answers(turn)
    assert doctor_list["type"] == "list"
    assert bool(CJK.search(doctor_list["text"])) == (language == "zh-Hant-HK")


# --- changing and cancelling ---------------------------------------------------------------------
def booked(doctor: Doctor, language: str, day: datetime.date, hhmm: str = "10:00") -> Appointment:
    in_alpha()
    patient = get_or_create_patient(wa_id=WA_ID, language=language)
    appointment = book_appointment(patient=patient, doctor=doctor, starts_at=at(day, hhmm))
    connection.set_schema_to_public()
    return appointment


@LANGUAGES
def test_a_reschedule_moves_the_appointment_and_books_no_other(doctors, monkeypatch, language):
    chan, _ = doctors
    appointment = booked(chan, language, open_day(2))
    new_day = open_day(3)
    lines = [
        say(language, "我想改期", "I need to reschedule my appointment"),
        f"#list:day:{new_day.isoformat()}",
        f"#list:slot:{new_day.isoformat()}T16:00",
        "#button:confirm:yes",
    ]
    ask, _, confirm, done = chat(monkeypatch, *lines)
    assert "10:00" in text(ask)  # the appointment being moved
    assert "16:00" in text(confirm) and "16:00" in text(done)
    in_alpha()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(new_day, "16:00")
    assert Appointment.objects.count() == 1


@LANGUAGES
def test_a_cancel_after_confirming_cancels_the_appointment(doctors, monkeypatch, language):
    chan, _ = doctors
    appointment = booked(chan, language, open_day(2))
    ask, done = chat(monkeypatch, say(language, "我想取消預約", "Please cancel my appointment"), "#button:confirm:yes")
    assert ids(answers(ask)[0]) == ["confirm:yes", "confirm:no"] and "10:00" in text(ask)
    assert say(language, "已經取消", "cancelled") in text(done)
    in_alpha()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


@LANGUAGES
def test_an_old_confirm_button_pressed_after_the_flow_changes_nothing(doctors, monkeypatch, language):
    chan, _ = doctors
    appointment = booked(chan, language, open_day(2))
    chat(monkeypatch, say(language, "我想取消預約", "Please cancel my appointment"), "#button:confirm:no")
    [late] = chat(monkeypatch, "#button:confirm:yes")
    assert "book:start" in ids(answers(late)[0])
    in_alpha()
    appointment.refresh_from_db()
    assert appointment.status == "booked"


# --- queue ---------------------------------------------------------------------------------------
@LANGUAGES
def test_a_queue_number_then_the_place_in_the_queue(doctors, monkeypatch, language):
    lines = say(language, "我想攞籌|排到幾多號", "Can I get a queue number?|how many people before me").split("|")
    joined, status = chat(monkeypatch, *lines)
    in_alpha()
    ticket = QueueTicket.objects.get()
    assert str(ticket.number) in text(joined) and str(ticket.number) in text(status)
    in_beta()
    assert not QueueTicket.objects.exists()


# --- clinic information --------------------------------------------------------------------------
@LANGUAGES
def test_a_question_about_the_address_is_answered_from_the_clinics_own_faq(doctors, monkeypatch, language):
    [turn] = chat(monkeypatch, say(language, "診所地址喺邊？", "what's your address?"))
    assert text(turn) == say(language, FAQS["address"][2], FAQS["address"][3])


@LANGUAGES
def test_a_question_about_fees_is_answered_from_the_clinics_own_faq(doctors, monkeypatch, language):
    [turn] = chat(monkeypatch, say(language, "睇一次醫生幾錢？", "how much is a consultation"))
    assert text(turn) == say(language, FAQS["fees"][2], FAQS["fees"][3])


# --- safety --------------------------------------------------------------------------------------
@LANGUAGES
def test_an_emergency_is_told_to_call_999_and_the_conversation_is_urgent(doctors, monkeypatch, language):
    line = say(language, "我爸爸心口好痛，唞唔到氣", "my dad has chest pain and can't breathe")
    [turn] = chat(monkeypatch, line)
    assert "999" in text(turn)
    in_alpha()
    assert Conversation.objects.get(patient__wa_id=WA_ID).urgent


@LANGUAGES
def test_stop_opts_the_patient_out_and_start_opts_them_back_in(doctors, monkeypatch, language):
    stop, start = say(language, "停止", "STOP"), say(language, "開始", "START")
    [stopped] = chat(monkeypatch, stop)
    in_alpha()
    assert Patient.objects.get(wa_id=WA_ID).opted_out_at is not None
    assert answers(stopped)
    [started] = chat(monkeypatch, start)
    in_alpha()
    assert Patient.objects.get(wa_id=WA_ID).opted_out_at is None
    assert answers(started)


@LANGUAGES
def test_asking_for_a_person_hands_over_and_a_later_hello_is_told_staff_know_once(doctors, monkeypatch, language):
    ask, later, again = chat(monkeypatch, say(language, "我想同真人傾", "I want to talk to a person"), "hello?", "??")
    assert answers(ask)
    assert text(later) == say(
        language,
        "我哋已經通知職員，佢哋會盡快喺度回覆你。如果情況緊急，請打999。",
        "Our staff have been told and will reply here as soon as they can. If it is an emergency, call 999.",
    )
    assert again["replies"] == []
    in_alpha()
    assert Conversation.objects.get(patient__wa_id=WA_ID).waiting_for_staff


@LANGUAGES
def test_a_medical_question_is_refused_with_an_offer_to_book_or_talk_to_staff(doctors, monkeypatch, language):
    line = say(language, "我發燒38度，應該食咩藥？", "I have a fever of 38.5, how many panadol should I take?")
    [turn] = chat(monkeypatch, line)
    [refusal] = answers(turn)
    assert ids(refusal) == ["book:start", "staff:ask"]
    assert say(language, "唔可以解答醫療問題", "can't answer medical questions") in refusal["text"]


@LANGUAGES
def test_a_privacy_request_is_answered_with_its_reference_number(doctors, monkeypatch, language):
    from privacy.models import PrivacyRequest

    [turn] = chat(monkeypatch, say(language, "我想攞返我啲資料", "I want a copy of my personal data"))
    request = PrivacyRequest.objects.get(clinic__slug="alpha")
    assert request.reference in text(turn)


# --- first contact and language ------------------------------------------------------------------
def test_a_new_patients_first_reply_is_the_collection_notice(doctors, monkeypatch):
    [turn] = chat(monkeypatch, "你好")
    assert "/privacy" in turn["replies"][0]["text"]
    assert len(turn["replies"]) == 2


def test_an_english_patient_gets_no_chinese_in_the_replies_after_the_notice(doctors, monkeypatch):
    lines = ["hello", "what are your opening hours?", "I'd like to book", "thanks"]
    turns = chat(monkeypatch, *lines)
    for turn in turns:
        for reply in answers(turn):
            visible = [reply.get("text", "")] + [b["title"] for b in reply.get("buttons", [])]
            visible += [r["title"] for s in reply.get("sections", []) for r in s["rows"]]
            assert not CJK.search(" ".join(visible)), reply


def test_three_messages_not_understood_end_with_staff_not_a_loop(doctors, monkeypatch):
    turns = chat(monkeypatch, "今日天氣好好", "哈哈", "asdfgh", "喂")
    first, second, third = (text(turn) for turn in turns[:3])
    assert len({first, second, third}) == 3
    assert CJK.search(third)  # one unreadable Latin word does not switch a Chinese chat to English
    assert "職員" in text(turns[3]) and "999" in text(turns[3])  # handed over: staff know, once


def test_a_number_that_is_not_digits_only_is_refused(db, monkeypatch):
    # This test uses `db`: a run of this file alone then creates the test database (committed_db does not).
    with pytest.raises(CommandError, match="digits only"):
        chat(monkeypatch, "hi", wa_id="+852 9123 4567")


@LANGUAGES
def test_an_emergency_while_waiting_for_staff_still_gets_999_at_once(doctors, monkeypatch, language):
    lines = [say(language, "我想同真人傾", "I want to talk to a person"), say(language, "唔透到氣", "I can't breathe")]
    _, emergency = chat(monkeypatch, *lines)
    assert "999" in text(emergency)
    in_alpha()
    assert Conversation.objects.get(patient__wa_id=WA_ID).urgent


@LANGUAGES
def test_stop_while_waiting_for_staff_still_opts_out(doctors, monkeypatch, language):
    _, stopped = chat(monkeypatch, say(language, "我想同真人傾", "I want to talk to a person"), "STOP")
    assert answers(stopped)
    in_alpha()
    assert Patient.objects.get(wa_id=WA_ID).opted_out_at is not None


def test_an_id_card_number_alone_gets_only_the_warning_about_identifiers_not_a_fallback(doctors, monkeypatch):
    turn = chat(monkeypatch, "我身份證號碼係 Y654321(3)")[0]
    assert "身份證" in text(turn)
    assert "唔太明白" not in text(turn)


@LANGUAGES
def test_a_suicidal_message_gets_the_crisis_hotlines_and_999(doctors, monkeypatch, language):
    [turn] = chat(monkeypatch, say(language, "我真係活唔落去，想死", "I don't want to live any more, I want to die"))
    assert "999" in text(turn) and "2896 0000" in text(turn) and "2389 2222" in text(turn)
    assert say(language, "撒瑪利亞", "Samaritans") in text(turn)
    in_alpha()
    assert Conversation.objects.get(patient__wa_id=WA_ID).urgent


@LANGUAGES
def test_booking_next_week_lists_days_from_next_monday(doctors, monkeypatch, language):
    chan, _ = doctors
    [turn] = chat(monkeypatch, say(language, "我想約陳醫生下星期", "I'd like to book Dr Chan next week"))
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    days = [datetime.date.fromisoformat(i.removeprefix("day:")) for i in ids(answers(turn)[0])]
    assert days and min(days) >= monday


@LANGUAGES
def test_a_time_typed_at_the_doctor_list_offers_any_doctor_and_books_the_first_free(doctors, monkeypatch, language):
    chan, wong = doctors
    day = open_day(2)
    in_alpha()  # Dr Chan is taken at 11:00 by someone else: any doctor is Dr Wong
    book_appointment(patient=get_or_create_patient(wa_id="85290000000"), doctor=chan, starts_at=at(day, "11:00"))
    connection.set_schema_to_public()
    start = say(language, "我想預約", "I'd like to book an appointment")
    _, typed = chat(monkeypatch, start, say(language, f"{day.month}月{day.day}號 11點", f"{day.day}/{day.month} 11am"))
    [doctor_list] = answers(typed)
    assert ids(doctor_list)[0] == "book:doctor:any" and len(ids(doctor_list)) == 3
    [confirm, done] = chat(monkeypatch, "#list:book:doctor:any", "#button:confirm:yes")
    assert "11:00" in text(confirm) and say(language, "黃小玲醫生", "Dr Wong Siu Ling") in text(confirm)
    in_alpha()
    mine = Appointment.objects.get(patient__wa_id=WA_ID)
    assert (mine.doctor, mine.starts_at) == (wong, at(day, "11:00"))
