"""Conversations with the assistant, message by message, in both languages (respond() on stored Messages).

Each helper call stores an inbound Message as the processing task does and runs `respond` (or, while the
conversation is with staff, `respond_while_silent`); it returns the outbound replies in the shape
`manage.py chat --json` prints.
"""

import datetime

import holidays
import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from clinics.frontdesk.models import FAQ, Appointment, Doctor, Patient, QueueTicket, WorkingHours
from clinics.frontdesk.services import book_appointment, get_or_create_patient
from messaging.assistant.dialogue import respond, respond_while_silent
from messaging.assistant.texts import TEXTS
from messaging.models import Conversation, Message
from messaging.services import conversation_for

WA_ID = "85291234567"


def open_day(offset=1) -> datetime.date:
    """The first day at least `offset` days ahead that is not a Hong Kong holiday."""
    day = timezone.localdate() + datetime.timedelta(days=offset)
    while day in holidays.HK(years=day.year, categories=holidays.HK.supported_categories):
        day += datetime.timedelta(days=1)
    return day


def at(day, hhmm) -> datetime.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def clinic(in_alpha):
    """Alpha with one doctor working 09:00-18:00 every day, and its own FAQ."""
    doctor = Doctor.objects.create(name_en="Dr Chan Tai Man", name_zh="陳大文醫生", slot_minutes=15)
    for weekday in range(7):
        WorkingHours.objects.create(
            doctor=doctor, weekday=weekday, starts_at=datetime.time(9), ends_at=datetime.time(18)
        )
    FAQ.objects.create(
        topic="address",
        question_en="Where is the clinic?",
        question_zh="診所喺邊？",
        answer_en="Alpha Clinic: 12 Nathan Road, Tsim Sha Tsui.",
        answer_zh="阿爾法診所：尖沙咀彌敦道12號。",
    )
    FAQ.objects.create(
        topic="fees",
        question_en="How much is a consultation?",
        question_zh="診金幾錢？",
        answer_en="A consultation is HK$350 including two days of medicine.",
        answer_zh="診金港幣350元，包兩日藥。",
    )
    for schema in ("alpha", "beta"):
        cache.delete_many([f"assistant:paused:{schema}:{pk}" for pk in range(1, 4)])
    yield doctor
    connection.set_tenant(in_alpha)
    cache.delete_many([f"assistant:paused:alpha:{pk}" for pk in range(1, 4)])


def simplify(message: Message) -> dict:
    body = message.payload
    if body.get("type") == "text":
        return {"type": "text", "text": body["text"]["body"]}
    interactive = body["interactive"]
    if interactive["type"] == "button":
        buttons = [b["reply"] for b in interactive["action"]["buttons"]]
        return {"type": "buttons", "text": interactive["body"]["text"], "buttons": buttons}
    rows = [row for section in interactive["action"]["sections"] for row in section["rows"]]
    return {
        "type": "list",
        "text": interactive["body"]["text"],
        "button": interactive["action"]["button"],
        "rows": rows,
    }


def send(text: str = "", press: str | None = None, wa_id: str = WA_ID, language: str | None = None) -> list[dict]:
    patient = get_or_create_patient(wa_id=wa_id, language=language)
    conversation = conversation_for(patient=patient)
    conversation.policy_shown_at = conversation.policy_shown_at or timezone.now()  # the notice has its own test
    conversation.save(update_fields=["policy_shown_at"])
    payload = {"type": "text", "text": {"body": text}}
    if press:
        payload = {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": press}}}
    before = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.IN,
        kind=Message.Kind.INTERACTIVE if press else Message.Kind.TEXT,
        text=text,
        payload=payload,
        status=Message.Status.RECEIVED,
    )
    conversation.refresh_from_db()
    message.conversation = conversation
    (respond_while_silent if conversation.assistant_silent else respond)(message=message)
    replies = Message.objects.filter(conversation=conversation, direction=Message.Direction.OUT, id__gt=before)
    return [simplify(reply) for reply in replies.order_by("id")]


def ids(reply: dict) -> list[str]:
    return [item["id"] for item in reply.get("buttons", reply.get("rows", []))]


def conversation() -> Conversation:
    return Conversation.objects.get(patient__wa_id=WA_ID)


# --- booking -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "language", "confirm_word"),
    [("book {d}/{m} 下午 3pm 可唔可以", "zh-Hant-HK", "確認"), ("can i book {d}/{m} at 3pm please", "en", "Book")],
)
def test_a_booking_with_day_and_time_goes_straight_to_confirming_and_creates_one_appointment(
    clinic, message, language, confirm_word
):
    day = open_day()
    [reply] = send(message.format(d=day.day, m=day.month))
    assert reply["type"] == "buttons" and confirm_word in reply["text"] and "15:00" in reply["text"]
    assert ids(reply) == ["confirm:yes", "confirm:no"]
    [done] = send(press="confirm:yes")
    assert "15:00" in done["text"]
    appointment = Appointment.objects.get()
    assert (appointment.doctor, appointment.starts_at, appointment.source) == (clinic, at(day, "15:00"), "whatsapp")
    assert Patient.objects.get(wa_id=WA_ID).language == language


def test_a_booking_step_by_step_offers_days_then_times_then_books(clinic):
    [days] = send("我想預約")
    assert days["type"] == "list" and all(i.startswith("day:") for i in ids(days))
    assert len(ids(days)) <= 10
    day = open_day(2)
    [times] = send(press=f"day:{day.isoformat()}")
    assert times["type"] == "list" and 1 <= len(ids(times)) <= 10
    assert all(len(row["title"]) <= 24 for row in times["rows"])
    chosen = ids(times)[0]
    [confirm] = send(press=chosen)
    assert ids(confirm) == ["confirm:yes", "confirm:no"]
    send(press="confirm:yes")
    assert Appointment.objects.filter(starts_at=at(day, chosen.removeprefix(f"slot:{day.isoformat()}T"))).count() == 1
    assert Appointment.objects.count() == 1


def test_with_several_doctors_the_patient_first_picks_a_doctor(clinic):
    other = Doctor.objects.create(name_en="Dr Wong Mei Ling", name_zh="黃美玲醫生")
    WorkingHours.objects.create(doctor=other, weekday=0, starts_at=datetime.time(9), ends_at=datetime.time(12))
    [doctors] = send("I'd like to book an appointment")
    assert set(ids(doctors)) == {f"book:doctor:{clinic.pk}", f"book:doctor:{other.pk}"}
    [days] = send(press=f"book:doctor:{clinic.pk}")
    assert all(i.startswith("day:") for i in ids(days))


def test_a_taken_time_is_answered_with_the_nearest_free_times(clinic):
    day = open_day()
    someone = get_or_create_patient(wa_id="85290000000")
    book_appointment(patient=someone, doctor=clinic, starts_at=at(day, "15:00"))
    [reply] = send(f"book {day.day}/{day.month} 3pm")
    assert reply["type"] == "list"
    assert f"slot:{day.isoformat()}T15:00" not in ids(reply)
    assert f"slot:{day.isoformat()}T15:15" in ids(reply)


def test_a_slot_taken_while_confirming_offers_other_slots_and_books_nothing(clinic):
    day = open_day()
    send(f"book {day.day}/{day.month} 3pm")
    book_appointment(patient=get_or_create_patient(wa_id="85290000000"), doctor=clinic, starts_at=at(day, "15:00"))
    [reply] = send(press="confirm:yes")
    assert reply["type"] == "list" and f"slot:{day.isoformat()}T15:15" in ids(reply)
    assert Appointment.objects.filter(patient__wa_id=WA_ID).count() == 0


def test_saying_no_at_the_confirmation_books_nothing(clinic):
    day = open_day()
    send(f"book {day.day}/{day.month} 3pm")
    [reply] = send("唔使")
    assert reply["text"] == "好的，冇任何更改。"
    assert Appointment.objects.count() == 0


# --- changing and cancelling ---------------------------------------------------------------------
def test_a_reschedule_moves_the_one_upcoming_appointment(clinic):
    day = open_day()
    patient = get_or_create_patient(wa_id=WA_ID, language="en")
    appointment = book_appointment(patient=patient, doctor=clinic, starts_at=at(day, "10:00"))
    [confirm] = send(f"can I change my appointment to {day.day}/{day.month} 4pm")
    assert "16:00" in confirm["text"] and ids(confirm) == ["confirm:yes", "confirm:no"]
    send(press="confirm:yes")
    appointment.refresh_from_db()
    assert appointment.starts_at == at(day, "16:00")
    assert Appointment.objects.count() == 1


def test_with_two_appointments_the_patient_picks_which_to_cancel_in_chinese(clinic):
    patient = get_or_create_patient(wa_id=WA_ID)
    first = book_appointment(patient=patient, doctor=clinic, starts_at=at(open_day(), "10:00"))
    second = book_appointment(patient=patient, doctor=clinic, starts_at=at(open_day(3), "11:00"))
    [choose] = send("我想取消預約")
    assert ids(choose) == [f"appt:{first.pk}", f"appt:{second.pk}"]
    [confirm] = send(press=f"appt:{second.pk}")
    assert "取消" in confirm["text"]
    [done] = send(press="confirm:yes")
    assert "已經取消" in done["text"]
    assert Appointment.objects.get(pk=second.pk).status == "cancelled"
    assert Appointment.objects.get(pk=first.pk).status == "booked"


def test_cancelling_with_no_appointment_offers_to_book(clinic):
    [reply] = send("cancel my appointment")
    assert ids(reply) == ["book:start"]


# --- queue ------------------------------------------------------------------------------------------
def test_joining_the_queue_gives_a_number_and_asking_again_gives_the_position(clinic):
    from clinics.frontdesk.services import join_queue

    join_queue(patient=None, source="desk")  # someone at the desk is ahead
    [joined] = send("我想攞籌")
    ticket = QueueTicket.objects.get(patient__wa_id=WA_ID)
    assert f"{ticket.number}號" in joined["text"] and "前面仲有" in joined["text"]
    [status] = send("排到幾多號")
    assert f"{ticket.number}號" in status["text"]
    assert QueueTicket.objects.filter(patient__wa_id=WA_ID).count() == 1


def test_queue_status_in_english_without_a_ticket_offers_one(clinic):
    [reply] = send("how many people are ahead of me in the queue", language="en")
    assert ids(reply) == ["queue:join"]


# --- clinic information ------------------------------------------------------------------------------
def test_a_question_about_the_address_is_answered_from_the_clinics_own_faq(clinic):
    assert send("診所地址喺邊")[0]["text"] == "阿爾法診所：尖沙咀彌敦道12號。"
    assert send("what is your address?")[0]["text"] == "Alpha Clinic: 12 Nathan Road, Tsim Sha Tsui."


def test_the_clinic_info_button_lists_the_faq_topics_and_a_row_answers(clinic):
    [topics] = send(press="info:list")
    fees = FAQ.objects.get(topic="fees")
    assert topics["type"] == "list" and f"faq:{fees.pk}" in ids(topics)
    [answer] = send(press=f"faq:{fees.pk}")
    assert answer["text"] == "診金港幣350元，包兩日藥。"


# --- safety ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "marker"), [("我心口好痛，唞唔到氣", "急症室"), ("my father can't breathe", "A&E")]
)
def test_an_emergency_gets_999_at_once_and_the_conversation_is_urgent_for_staff(clinic, message, marker):
    [reply] = send(message)
    assert "999" in reply["text"] and marker in reply["text"]
    assert conversation().urgent and conversation().waiting_for_staff


def test_an_emergency_in_the_middle_of_a_booking_stops_the_booking(clinic):
    day = open_day()
    send(f"book {day.day}/{day.month} 3pm")
    send("chest pain now")
    assert conversation().state.get("flow") is None
    [held] = send(press="confirm:yes")  # staff have it now
    assert held["text"] == TEXTS["waiting_for_staff"]["en"]
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(("stop", "start", "word"), [("STOP", "START", "START"), ("停止", "開始", "開始")])
def test_stop_then_start_opts_out_and_back_in(clinic, stop, start, word):
    get_or_create_patient(wa_id=WA_ID, language="zh-Hant-HK" if word == "開始" else "en")
    [stopped] = send(stop)
    assert word in stopped["text"]
    assert Patient.objects.get(wa_id=WA_ID).opted_out_at is not None
    send(start)
    assert Patient.objects.get(wa_id=WA_ID).opted_out_at is None


@pytest.mark.parametrize("message", ["我想同真人講", "can I talk to a real person"])
def test_asking_for_a_human_hands_over_and_silences_the_assistant(clinic, message):
    [reply] = send(message)
    assert "Alpha Clinic" in reply["text"] or "阿爾法診所" in reply["text"]
    assert conversation().waiting_for_staff and not conversation().urgent


@pytest.mark.parametrize(("message", "word"), [("panadol 食幾多粒", "醫療問題"), ("is this rash serious", "medical")])
def test_a_medical_question_is_refused_with_an_offer_to_book_or_talk_to_staff(clinic, message, word):
    [reply] = send(message)
    assert word in reply["text"]
    assert ids(reply) == ["book:start", "staff:ask"]


# --- small talk and fallback -------------------------------------------------------------------------
def test_a_greeting_names_the_clinic_and_offers_the_main_actions(clinic):
    [reply] = send("hello")
    assert "Alpha Clinic" in reply["text"] or "阿爾法診所" in reply["text"]
    assert ids(reply) == ["book:start", "queue:join", "info:list"]


def test_the_unknown_fallback_never_repeats_itself_and_ends_with_staff(clinic):
    first = send("asdf qwer zxcv")
    second = send("lorem ipsum dolor")
    third = send("blah blah blah")
    assert first[0]["type"] == "text"
    assert ids(second[0]) == ["book:start", "queue:join", "staff:ask"]
    assert first[0]["text"] != second[0]["text"] != third[0]["text"]
    assert conversation().waiting_for_staff
    assert [reply["text"] for reply in send("more nonsense")] == [TEXTS["waiting_for_staff"]["en"]]


# --- abuse ------------------------------------------------------------------------------------------
def test_a_flood_is_answered_once_then_silence_and_staff_are_told(clinic, settings):
    settings.ASSISTANT_FLOOD_PER_MINUTE = 5
    replies = [send("hello") for _ in range(5)]
    assert all(replies)
    throttled = send("hello")
    assert len(throttled) == 1 and ("messages" in throttled[0]["text"] or "訊息" in throttled[0]["text"])
    assert conversation().waiting_for_staff and "flooding" in conversation().urgent_reason
    conversation_row = conversation()
    conversation_row.waiting_for_staff = False  # even if staff hand back at once, the pause holds
    conversation_row.save()
    assert send("hello") == []


# --- isolation -------------------------------------------------------------------------------------
def test_a_booking_in_alpha_is_invisible_to_beta(clinic, beta):
    day = open_day()
    send(f"book {day.day}/{day.month} 3pm")
    send(press="confirm:yes")
    assert Appointment.objects.count() == 1
    connection.set_tenant(beta)
    assert Appointment.objects.count() == 0
    assert not Conversation.objects.exists()


# --- privacy -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("message", ["我想刪除我嘅個人資料", "I want a copy of my personal data"])
def test_a_privacy_request_opens_a_pdpo_request_and_replies_with_its_reference(clinic, message):
    from privacy.models import PrivacyRequest

    [reply] = send(message)
    request = PrivacyRequest.objects.get(clinic__slug="alpha")
    assert request.reference in reply["text"]
    assert request.kind == ("erasure" if "刪除" in message else "access")


def test_a_new_patients_first_reply_is_preceded_by_the_collection_notice(clinic):
    patient = get_or_create_patient(wa_id="85298887777")
    conversation_row = conversation_for(patient=patient)
    message = Message.objects.create(
        conversation=conversation_row, direction="in", kind="text", text="hello", status="received"
    )
    respond(message=message)
    replies = list(Message.objects.filter(conversation=conversation_row, direction="out").order_by("id"))
    assert len(replies) == 2 and "/privacy" in replies[0].text
    conversation_row.refresh_from_db()
    assert conversation_row.policy_shown_at is not None
    second = Message.objects.create(
        conversation=conversation_row, direction="in", kind="text", text="hi", status="received"
    )
    respond(message=second)
    assert Message.objects.filter(conversation=conversation_row, direction="out").count() == 3


# --- suicidal and self-harm messages ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "language"), [("我好想死，唔想再活落去", "zh-Hant-HK"), ("I want to kill myself", "en")]
)
def test_a_suicidal_message_gets_999_and_both_crisis_hotlines_and_staff_are_told_urgently(clinic, message, language):
    [reply] = send(message)
    assert reply["text"] == TEXTS["emergency_self_harm"][language].format(clinic=connection.tenant.name_for(language))
    assert "999" in reply["text"] and "2896 0000" in reply["text"] and "2389 2222" in reply["text"]
    assert conversation().urgent and conversation().waiting_for_staff


@pytest.mark.parametrize("message", ["我爸爸心口好痛", "my father can't breathe"])
def test_an_ordinary_emergency_keeps_the_999_and_a_and_e_text_without_the_hotlines(clinic, message):
    [reply] = send(message)
    assert "999" in reply["text"] and "2389 2222" not in reply["text"]


def test_a_suicidal_message_while_staff_have_the_conversation_still_gets_the_hotlines(clinic, django_user_model):
    from messaging.services import take_over

    send("I want to talk to a real person")
    take_over(conversation=conversation(), user=django_user_model.objects.create(username="nurse"))
    [reply] = send("I want to end my life")
    assert "2896 0000" in reply["text"] and conversation().urgent


# --- while the conversation waits for staff ---------------------------------------------------------
@pytest.mark.parametrize(("ask", "language"), [("我想同真人講", "zh-Hant-HK"), ("can I talk to a real person", "en")])
def test_a_patient_waiting_for_staff_is_told_once_that_staff_know_then_not_again(clinic, ask, language):
    send(ask)
    [held] = send("hello?")
    assert held["text"] == TEXTS["waiting_for_staff"][language]
    assert send("hello??") == []
    assert conversation().waiting_for_staff and not conversation().urgent


def test_the_holding_reply_comes_again_after_half_an_hour(clinic):
    send("can I talk to a real person")
    send("hello?")
    row = conversation()
    row.state["held_at"] = (timezone.now() - datetime.timedelta(minutes=31)).isoformat()  # half an hour passes
    row.save()
    assert [reply["text"] for reply in send("anyone there?")] == [TEXTS["waiting_for_staff"]["en"]]


def test_once_a_member_of_staff_has_taken_over_the_assistant_says_nothing(clinic, django_user_model):
    from messaging.services import take_over

    send("can I talk to a real person")
    take_over(conversation=conversation(), user=django_user_model.objects.create(username="reception"))
    assert send("hello?") == []


def test_stop_while_waiting_for_staff_opts_out_instead_of_the_holding_reply(clinic):
    send("can I talk to a real person")
    [stopped] = send("STOP")
    assert "START" in stopped["text"]
    assert Patient.objects.get(wa_id=WA_ID).opted_out_at is not None


# --- "next week" ---------------------------------------------------------------------------------------
def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


@pytest.mark.parametrize("message", ["我想預約下星期", "can I book next week?"])
def test_booking_next_week_lists_days_from_next_monday(clinic, message):
    [days] = send(message)
    listed = [datetime.date.fromisoformat(i.removeprefix("day:")) for i in ids(days)]
    assert listed and min(listed) >= next_monday()


@pytest.mark.parametrize("message", ["我想改期去下個禮拜", "can I move my appointment to next week"])
def test_rescheduling_to_next_week_lists_days_from_next_monday(clinic, message):
    patient = get_or_create_patient(wa_id=WA_ID)
    book_appointment(patient=patient, doctor=clinic, starts_at=at(open_day(), "10:00"))
    [days] = send(message)
    listed = [datetime.date.fromisoformat(i.removeprefix("day:")) for i in ids(days)]
    assert listed and min(listed) >= next_monday()


def test_next_week_typed_at_the_day_list_starts_the_list_again_from_next_monday(clinic):
    send("I'd like to book an appointment")
    [days] = send("next week please")
    assert datetime.date.fromisoformat(ids(days)[0].removeprefix("day:")) >= next_monday()


# --- a time or a day typed where a doctor was asked for -------------------------------------------
@pytest.fixture
def two_doctors(clinic):
    wong = Doctor.objects.create(name_en="Dr Wong Mei Ling", name_zh="黃美玲醫生", slot_minutes=15)
    for weekday in range(7):
        WorkingHours.objects.create(doctor=wong, weekday=weekday, starts_at=datetime.time(9), ends_at=datetime.time(18))
    return clinic, wong


@pytest.mark.parametrize(("start", "when"), [("我想預約", "10點"), ("I'd like to book", "10am")])
def test_a_time_typed_instead_of_a_doctor_offers_any_doctor_first(two_doctors, start, when):
    chan, wong = two_doctors
    send(start)
    [doctors] = send(when)
    assert ids(doctors) == ["book:doctor:any", f"book:doctor:{chan.pk}", f"book:doctor:{wong.pk}"]
    assert "10:00" in doctors["text"] and len(doctors["rows"]) <= 10
    assert all(len(row["title"]) <= 24 for row in doctors["rows"])


def test_any_doctor_confirms_the_first_doctor_free_at_the_time_asked(two_doctors):
    chan, wong = two_doctors
    day = open_day()
    book_appointment(patient=get_or_create_patient(wa_id="85290000000"), doctor=chan, starts_at=at(day, "10:00"))
    send("I'd like to book")
    send(f"{day.day}/{day.month} 10am")
    [confirm] = send(press="book:doctor:any")
    assert ids(confirm) == ["confirm:yes", "confirm:no"] and "Dr Wong Mei Ling" in confirm["text"]
    send(press="confirm:yes")
    assert Appointment.objects.get(patient__wa_id=WA_ID).doctor == wong


@pytest.mark.parametrize("anyone", ["邊個都得", "any doctor"])
def test_typing_any_doctor_at_the_doctor_list_picks_one_for_the_day_asked(two_doctors, anyone):
    day = open_day(2)
    send("I'd like to book")
    send(f"{day.day}/{day.month}")
    [times] = send(anyone)
    assert times["type"] == "list" and all(i.startswith(f"slot:{day.isoformat()}T") for i in ids(times))


def test_a_day_typed_instead_of_a_doctor_carries_over_to_the_doctor_picked(two_doctors):
    chan, _ = two_doctors
    day = open_day(2)
    send("我想預約")
    send(f"{day.month}月{day.day}號")
    [times] = send(press=f"book:doctor:{chan.pk}")
    assert ids(times) and all(i.startswith(f"slot:{day.isoformat()}T") for i in ids(times))


def test_a_time_typed_before_the_day_carries_over_to_the_slot(two_doctors):
    chan, _ = two_doctors
    day = open_day(2)
    send("I'd like to book")
    send("10:30am")
    send(press=f"book:doctor:{chan.pk}")
    [confirm] = send(press=f"day:{day.isoformat()}")
    assert ids(confirm) == ["confirm:yes", "confirm:no"] and "10:30" in confirm["text"]


# --- a day typed at the day list ------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["{d}號", "{d}", "{d}日"])
def test_a_day_of_the_month_typed_at_the_day_list_offers_that_days_times(clinic, typed):
    day = open_day(2)
    [days] = send("我想預約")
    assert conversation().state["step"] == "day" and f"day:{day.isoformat()}" in ids(days)
    [times] = send(typed.format(d=day.day))
    assert times["type"] == "list" and ids(times)
    assert all(i.startswith(f"slot:{day.isoformat()}T") for i in ids(times))
