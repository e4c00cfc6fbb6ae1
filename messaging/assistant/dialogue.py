"""The assistant's side of a conversation: the safety screen first, then a dialogue state drives the flows.

`respond(message=...)` is called once per inbound patient message (not while staff have the
conversation). It never raises: on any error it logs and sends a short bilingual apology.
The state lives in `Conversation.state`; every action goes through the clinic's services, and
button and list ids are stable machine ids (`book:doctor:3`, `book:doctor:any`, `day:2026-11-27`,
`slot:2026-11-27T15:00`, `appt:12`, `confirm:yes`, `faq:4`, `queue:join`, `staff:ask`).
"""

from __future__ import annotations

import datetime
import logging
import math
import re

from django.db import connection, transaction
from django.utils import timezone

from . import flood
from .engine import clinic_context, doctor_label, understand
from .offline import detect_language, find_week, gives_identifier
from .reading import Reading
from .screen import normalise, screen, self_harm
from .texts import day_label, say, when_label

logger = logging.getLogger(__name__)

MAX_ROWS = 10  # WhatsApp list messages: at most 10 rows
ROW_TITLE, ROW_DESCRIPTION, BUTTON_TITLE = 24, 72, 20
SAFETY = ("emergency", "opt_out", "opt_in", "talk_to_staff", "medical_question")
MEDIA = ("image", "video", "document", "audio", "sticker")
# A holding reply while staff are awaited, or a thank-you for a burst of photos, goes out once per half hour.
QUIET = datetime.timedelta(minutes=30)
# The reason of a handover that only asks staff to look at a file: typed questions still get the assistant.
ATTACHMENT = "attachment: "
# State that outlives a flow: the fallback counter and when the patient was last told to wait or thanked.
_KEPT = ("unknowns", "held_at", "acknowledged_at")
_YES = re.compile(
    r"^(?:yes|y|yep|yeah|ok|okay|sure|confirm|confirmed|correct|好|好呀|好啊|好的|係|係呀|得|得呀|可以|確認|確定|冇問題|啱)$"
)
_NO = re.compile(r"^(?:no|n|nope|not now|唔好|不要|唔要|唔使|唔使喇|算|算啦|唔得|不用)$")
_ANY_DOCTOR = re.compile(
    r"^(?:any|anyone|any one|any doctor|any dr|any of them|whoever|whoever is free|either|either one|"
    r"doesn'?t matter|don'?t mind|no preference|任何|任何醫生|任何一位|邊位都得|邊個都得|邊位醫生都得|"
    r"邊個醫生都得|隨便|隨便啦|都得|冇所謂|無所謂|唔緊要)$"
)
# Words that say nothing about the language a patient prefers.
# One Latin word the assistant did not understand ("asdfgh", "lol") does not switch a Chinese chat to English.
_ONE_LATIN_WORD = re.compile(r"^[A-Za-z]+[\W\d_]*$")
_NEUTRAL = re.compile(r"^[\W\d_]*(?:ok|okay|yes|no|y|n|thx|ty|hi|dr|am|pm)?[\W\d_]*$", flags=re.IGNORECASE)
_FAQ_TOPICS = {
    "hours": r"幾點|有冇開|開唔開|幾時開|開工|休息|公眾假期|"
    r"開門|閂門|關門|營業|辦公|開放|時間表|開幾點|星期日開|假期開|\bhours?\b|\bopen|\bclose|opening",
    "address": r"地址|喺邊|在哪|點去|點樣去|位置|地鐵|港鐵|泊車|address|where|located|location|directions|mtr|parking",
    "fees": r"幾錢|收費|價錢|費用|診金|收幾多|價目|\bfees?\b|cost|price|how much|charge",
    "vouchers": r"醫療券|醫健券|長者|voucher",
    "insurance": r"保險|索償|claim|insurance|insurer",
}


def respond(*, message) -> None:
    """Answer one inbound patient message. Never raises."""
    try:
        with transaction.atomic():  # a failure undoes the half-done turn and leaves room for the apology
            _Turn(message).run()
    except Exception:
        logger.exception("assistant_failed", extra={"message_id": getattr(message, "pk", None)})
        try:
            from messaging.services import queue_text

            language = getattr(message.conversation.patient, "language", "zh-Hant-HK")
            queue_text(conversation=message.conversation, text=say("error", language))
        except Exception:
            logger.exception("assistant_fallback_failed", extra={"message_id": getattr(message, "pk", None)})


def respond_while_silent(*, message) -> None:
    """While the conversation is with staff. An emergency gets 999 at once and STOP / START are always honoured.

    Once a person has taken it over, nothing else is said. While it only waits for one: a handover for a
    file leaves the assistant answering typed questions; otherwise the patient hears at most once per half
    hour that staff have been told. Never raises.
    """
    try:
        conversation = message.conversation
        screened = screen(message.text) if message.text else None
        with transaction.atomic():
            turn = _Turn(message)
            if screened in ("emergency", "opt_out", "opt_in"):
                if screened == "emergency":
                    turn.language = detect_language(turn.text)
                getattr(turn, screened)()
            elif conversation.taken_over_by_id is not None or _announces_nothing(message):
                return
            elif message.kind == "order":  # handed to staff as it arrived: the patient hears who follows it up
                turn.order()
            elif conversation.urgent_reason.startswith(ATTACHMENT) and not conversation.urgent:
                turn.run()
            else:
                turn.hold()
    except Exception:
        logger.exception("assistant_silent_screen_failed", extra={"message_id": getattr(message, "pk", None)})


def reply_id(message) -> str | None:
    """The id of the button or list row the patient pressed, if this message is such a reply."""
    payload = getattr(message, "payload", None) or {}
    interactive = payload.get("interactive", payload)
    for kind in ("button_reply", "list_reply"):
        reply = interactive.get(kind) if isinstance(interactive, dict) else None
        if isinstance(reply, dict) and reply.get("id"):
            return str(reply["id"])
    button = payload.get("button")  # a quick-reply button under a template
    if isinstance(button, dict) and button.get("payload"):
        return str(button["payload"])
    return None


class _Turn:
    """One inbound message and everything the assistant does about it."""

    def __init__(self, message) -> None:
        self.message = message
        self.conversation = message.conversation
        self.patient = self.conversation.patient
        self.clinic = connection.tenant
        self.language = self.patient.language or "zh-Hant-HK"
        self.state = dict(self.conversation.state or {})
        self.text = message.text or ""
        self.week: datetime.date | None = None  # the Monday of "下星期" / "next week", when no day is named
        self._noticed = False

    # --- the turn ------------------------------------------------------------------------------
    def run(self) -> None:
        screened = screen(self.text) if self.text else None
        status = flood.check(patient_id=self.patient.pk)
        if status != flood.OK:
            if screened == "emergency":  # an emergency is answered even from a number we throttle
                self.language = detect_language(self.text)
                self.emergency()
            elif status == flood.THROTTLED:
                self.send_text(say("flood", self.language, clinic=self.clinic_name))
                self.hand_to_staff("flooding: more than the per-minute limit, assistant paused")
            return
        pressed = reply_id(self.message)
        offer = self.state.pop("offer", None)  # the one button of the last reply, answered by "好" / "yes"
        if not pressed and offer and screened is None and (yes_no := _yes_or_no(self.text)) is not None:
            if yes_no:
                self.on_reply(offer)
            else:
                self.reset()
                self.send_text(say("anything_else", self.language))
        elif pressed:
            self.on_reply(pressed)
        elif _payload_type(self.message) == "request_welcome":  # the patient opened the chat for the first time
            self.greeting()
        elif (media := _bare_media(self.message)) is not None:
            self.attachment(media)
        else:
            reading = understand(self.text, clinic_context=clinic_context(expecting=self.state.get("step")))
            if not reading.date:
                self.week = find_week(normalise(self.text), today=timezone.localdate())
            self.learn_language(reading, screened)
            self.on_reading(reading, screened)
        self.save()

    def on_reading(self, reading: Reading, screened: str | None) -> None:
        intent = screened or reading.intent
        if intent in SAFETY:
            self.reset()
            getattr(self, intent)()
            return
        if self.state.get("step") == "doctor" and _ANY_DOCTOR.match(normalise(self.text).strip(" ?.!")):
            self.state["unknowns"] = 0
            self.any_doctor()
            return
        if self.state.get("step") == "confirm" and (yes_no := _yes_or_no(self.text)) is not None:
            self.state["unknowns"] = 0
            self.confirmed(yes_no)
            return
        if intent == "unknown" and not self._continues_flow(reading):
            self.unknown()
            return
        self.state["unknowns"] = 0
        if self._continues_flow(reading) and intent in ("book_appointment", "reschedule_appointment", "unknown"):
            self.continue_flow(reading)
        else:
            self.reset()
            self.dispatch(intent, reading)

    def dispatch(self, intent: str, reading: Reading | None = None) -> None:
        handlers = {
            "greeting": self.greeting,
            "thanks": self.thanks,
            "book_appointment": lambda: self.book(reading),
            "reschedule_appointment": lambda: self.change("reschedule", reading),
            "cancel_appointment": lambda: self.change("cancel", reading),
            "join_queue": self.join_queue,
            "queue_status": self.queue_status,
            "clinic_info": self.clinic_info,
            "privacy_request": self.privacy_request,
        }
        handlers.get(intent, self.unknown)()

    def on_reply(self, pressed: str) -> None:
        self.state["unknowns"] = 0
        kind, _, value = pressed.partition(":")
        try:
            if pressed == "book:doctor:any":
                self.state.setdefault("flow", "book")
                self.any_doctor()
            elif kind == "book" and value.startswith("doctor:"):
                self.state.setdefault("flow", "book")
                self.state["doctor"] = int(value.removeprefix("doctor:"))
                self.offer()
            elif kind == "day":  # a time the patient already gave ("10am") carries over to the slot
                self.state.setdefault("flow", "book")
                self.state["day"] = datetime.date.fromisoformat(value).isoformat()
                self.state.pop("from", None)
                self.offer()
            elif kind == "slot":
                self.state.setdefault("flow", "book")
                self.ask_confirm(_parse_slot(value))
            elif kind == "appt" and self.state.get("step") == "appointment":
                self.picked_appointment(int(value))
            elif kind == "confirm" and self.state.get("step") == "confirm":
                self.confirmed(value == "yes")
            elif kind in ("appt", "confirm"):
                self.stale()
            elif kind == "faq":
                self.faq_answer(int(value))
            else:
                self.reset()
                simple = {
                    "book:start": "book_appointment",
                    "queue:join": "join_queue",
                    "queue:status": "queue_status",
                    "staff:ask": "talk_to_staff",
                    "info:list": "clinic_info",
                }
                intent = simple.get(pressed, "unknown")
                getattr(self, intent)() if intent in SAFETY else self.dispatch(intent)
        except (ValueError, LookupError):
            logger.warning("assistant_stale_reply", extra={"reply": kind})
            self.stale()

    # --- safety --------------------------------------------------------------------------------
    def emergency(self) -> None:
        if self_harm(self.text):
            self.send_text(say("emergency_self_harm", self.language, clinic=self.clinic_name))
            self.hand_to_staff("emergency: the patient's message speaks of suicide or self-harm", urgent=True)
            return
        self.send_text(say("emergency", self.language, clinic=self.clinic_name))
        self.hand_to_staff("emergency: the patient's message matched the emergency screen", urgent=True)

    def hold(self) -> None:
        """A message while the conversation waits for staff: tell the patient so, at most once per half hour."""
        if flood.paused(patient_id=self.patient.pk) or _within(self.state.get("held_at"), QUIET):
            return
        self.state["held_at"] = timezone.now().isoformat()
        self.send_text(say("waiting_for_staff", self.language))
        self.save()

    def opt_out(self) -> None:
        from clinics.frontdesk.services import opt_out

        opt_out(patient=self.patient)
        self.send_text(say("opted_out", self.language, clinic=self.clinic_name))

    def opt_in(self) -> None:
        from clinics.frontdesk.services import opt_in

        opt_in(patient=self.patient)
        self.send_text(say("opted_in", self.language, clinic=self.clinic_name))

    def talk_to_staff(self, reason: str = "the patient asked for staff") -> None:
        from clinics.frontdesk.selectors import is_open_now, next_opening

        if is_open_now():
            text = say("staff_open", self.language, clinic=self.clinic_name)
        elif opening := next_opening():
            when = f"{day_label(timezone.localdate(opening), self.language)} {timezone.localtime(opening):%H:%M}"
            text = say("staff_closed", self.language, clinic=self.clinic_name, when=when)
        else:
            text = say("staff_later", self.language, clinic=self.clinic_name)
        self.send_text(text)
        self.hand_to_staff(reason)

    def medical_question(self) -> None:
        self.send_buttons(say("medical", self.language), [self.button("book:start"), self.button("staff:ask")])

    # --- photos, documents, voice messages, stickers and orders ---------------------------------
    def attachment(self, kind: str) -> None:
        """A file without a caption: staff look at it (not urgent); a burst of photos is thanked once."""
        if kind == "sticker":
            self.sticker()
            return
        if not _within(self.state.get("acknowledged_at"), QUIET):
            self.state["acknowledged_at"] = timezone.now().isoformat()
            key = "voice_received" if kind == "audio" else "attachment_received"
            self.send_text(say(key, self.language, clinic=self.clinic_name))
        what = "a voice message" if kind == "audio" else f"a {kind}"
        self.hand_to_staff(f"{ATTACHMENT}the patient sent {what} for staff to look at")

    def sticker(self) -> None:
        """A sticker that opens a conversation is a hello; one after our last reply (a 👍) needs no answer."""
        from messaging.models import Message

        last = (
            Message.objects.filter(conversation=self.conversation, direction=Message.Direction.OUT)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is None or timezone.now() - last > QUIET:
            self.greeting()

    def order(self) -> None:
        self.send_text(say("order_received", self.language, clinic=self.clinic_name))

    # --- small talk ----------------------------------------------------------------------------
    def greeting(self) -> None:
        self.send_buttons(
            say("greeting", self.language, clinic=self.clinic_name),
            [self.button("book:start"), self.button("queue:join"), self.button("info:list")],
        )

    def thanks(self) -> None:
        self.send_text(say("thanks", self.language))

    def stale(self) -> None:
        """A button or row from an earlier message: say so, and offer the menu again."""
        self.reset()
        self.send_buttons(
            say("stale_button", self.language),
            [self.button("book:start"), self.button("queue:join"), self.button("info:list")],
        )

    def unknown(self) -> None:
        if self.message.kind in ("image", "video", "document"):  # a caption we cannot read: staff look at the file
            self.attachment(self.message.kind)
            return
        # Never the same fallback twice in a row: a hint, then buttons, then a person.
        count = self.state.get("unknowns", 0) + 1
        self.state["unknowns"] = count
        step = self.state.get("step")
        if "*" in self.text and gives_identifier(normalise(self.text)):
            self.state["unknowns"] = count - 1  # a masked ID alone: the pipeline's warning about IDs is the reply
            self.collection_notice()  # which a new patient still hears after the notice
        elif count == 1 and step in ("doctor", "day", "time", "appointment", "confirm"):
            self.send_text(say(f"pick_{step}", self.language))  # mid-flow: say what we are waiting for
        elif count == 1:
            self.send_text(say("unknown", self.language, clinic=self.clinic_name))
        elif count == 2:  # noqa: PLR2004
            self.send_buttons(
                say("unknown_again", self.language),
                [self.button("book:start"), self.button("queue:join"), self.button("staff:ask")],
            )
        else:
            self.reset()
            self.talk_to_staff(reason="the assistant did not understand three messages in a row")

    # --- booking, rescheduling, cancelling -------------------------------------------------------
    def book(self, reading: Reading | None, carried: dict | None = None) -> None:
        from clinics.frontdesk.models import Doctor

        doctors = list(Doctor.objects.filter(active=True))
        self.reset(flow="book", unknowns=0, **(carried or {}))
        self._take_details(reading, doctors)
        if not doctors:
            self.reset()
            self.send_buttons(say("no_doctors", self.language), [self.button("staff:ask")])
        elif "doctor" not in self.state and len(doctors) == 1:
            self.state["doctor"] = doctors[0].pk
            self.offer()
        elif "doctor" not in self.state:
            self.ask_doctor(doctors)
        else:
            self.offer()

    def ask_doctor(self, doctors: list) -> None:
        """The doctor list; once the patient has said when, "Any doctor" comes first."""
        self.state["step"] = "doctor"
        rows = [(f"book:doctor:{d.pk}", d.name_for(self.language), d.name_for(_other(self.language))) for d in doctors]
        when = self.wanted_when()
        if when:
            anyone = say("any_doctor_free", self.language, when=when)
            first = ("book:doctor:any", say("any_doctor", self.language), anyone)
            self.send_list(say("choose_doctor_when", self.language, when=when), "doctors", [first, *rows])
        else:
            self.send_list(say("choose_doctor", self.language), "doctors", rows)

    def any_doctor(self) -> None:
        """The first doctor free at the time the patient gave (or the nearest time), else the earliest free slot."""
        from clinics.frontdesk.models import Doctor
        from clinics.frontdesk.selectors import available_slots

        doctors = list(Doctor.objects.filter(active=True))
        wanted, part = self.state.get("time"), self.state.get("part")
        day = self._wanted_day()
        start = day or self._first_day()
        nearest = None  # (day, doctor) to fall back on when nobody is free at exactly the wanted time
        for offset in range(1 if day else 14):
            current = start + datetime.timedelta(days=offset)
            free = [
                (doctor, [slot for slot in available_slots(doctor=doctor, day=current) if slot > timezone.now()])
                for doctor in doctors
            ]
            free = [(doctor, slots) for doctor, slots in free if slots]
            if not free:
                continue
            if wanted:
                for doctor, slots in free:
                    exact = [slot for slot in slots if f"{timezone.localtime(slot):%H:%M}" == wanted]
                    if exact:
                        self.state.update(doctor=doctor.pk, day=current.isoformat())
                        self.ask_confirm(exact[0])
                        return
                target = _clock_minutes(wanted)
                closest = min(free, key=lambda pair: min(abs(_minutes(slot) - target) for slot in pair[1]))
                nearest = nearest or (current, closest[0])
                continue
            # the earliest slot, in the part of the day asked for when there is one
            choices = [(bool(part) and _part_of_day(s) != part, s, doctor) for doctor, slots in free for s in slots]
            _, _, doctor = min(choices, key=lambda choice: choice[:2])
            self.state.update(doctor=doctor.pk, day=current.isoformat())
            self.offer()
            return
        if nearest is not None:
            self.state.update(doctor=nearest[1].pk, day=nearest[0].isoformat())
            self.offer()
            return
        self.reset()
        self.send_buttons(say("no_doctor_free", self.language), [self.button("staff:ask")])

    def change(self, flow: str, reading: Reading | None) -> None:
        from clinics.frontdesk.selectors import upcoming_appointments

        appointments = list(upcoming_appointments(patient=self.patient)[: MAX_ROWS + 1])
        self.reset(flow=flow, unknowns=0)
        if flow == "reschedule":
            self._take_details(reading, [])
        if not appointments:
            self.reset()
            self.send_buttons(
                say("no_appointments", self.language, clinic=self.clinic_name), [self.button("book:start")]
            )
        elif len(appointments) == 1:
            self.picked_appointment(appointments[0].pk)
        else:
            self.state["step"] = "appointment"
            rows = [
                (f"appt:{a.pk}", self.when(a.starts_at), a.doctor.name_for(self.language))
                for a in appointments[:MAX_ROWS]
            ]
            self.send_list(say("choose_appointment", self.language), "appointments", rows)

    def picked_appointment(self, pk: int) -> None:
        from clinics.frontdesk.selectors import upcoming_appointments

        appointment = upcoming_appointments(patient=self.patient).get(pk=pk)
        self.state.setdefault("flow", "reschedule")
        self.state.update(appointment=appointment.pk, doctor=appointment.doctor_id)
        if self.state["flow"] == "cancel":
            self.state["step"] = "confirm"
            self.send_buttons(
                say(
                    "confirm_cancel",
                    self.language,
                    doctor=appointment.doctor.name_for(self.language),
                    day=self.day(appointment.starts_at),
                    time=f"{timezone.localtime(appointment.starts_at):%H:%M}",
                ),
                [self.button("confirm:yes"), self.button("confirm:no")],
            )
        else:
            self.offer()

    def continue_flow(self, reading: Reading) -> None:
        from clinics.frontdesk.models import Doctor

        self._take_details(reading, list(Doctor.objects.filter(active=True)), keep=True)
        if self.state.get("flow") == "book" and "doctor" not in self.state:
            self.book_from_state()
        else:
            self.offer()

    def book_from_state(self) -> None:
        self.book(None, carried={k: self.state[k] for k in ("day", "time", "part", "from") if self.state.get(k)})

    def offer(self) -> None:
        """With a doctor chosen: the day list, the time list, or straight to confirming a free time."""
        from clinics.frontdesk.models import Doctor
        from clinics.frontdesk.selectors import available_days, available_slots

        doctor = Doctor.objects.get(pk=self.state["doctor"])
        doctor_name = doctor.name_for(self.language)
        today = timezone.localdate()
        day = self._wanted_day()
        if day is None:
            days = available_days(doctor=doctor, start=self._first_day(), days=14)[:MAX_ROWS]
            if not days:
                self.reset()
                self.send_buttons(say("no_days", self.language, doctor=doctor_name), [self.button("staff:ask")])
                return
            self.state["step"] = "day"
            rows = [(f"day:{d.isoformat()}", day_label(d, self.language), self.near(d, doctor_name)) for d in days]
            text = say("choose_day", self.language, doctor=doctor_name)
            if self.state.get("flow") == "reschedule" and self.state.get("appointment"):
                old = self.when(self._appointment().starts_at)
                text = say("choose_new_day", self.language, doctor=doctor_name, old=old)
            self.send_list(text, "days", rows)
            return
        slots = [slot for slot in available_slots(doctor=doctor, day=day) if slot > timezone.now()]
        if not slots:
            self.state.pop("day", None)
            days = [d for d in available_days(doctor=doctor, start=today, days=14) if d != day][:MAX_ROWS]
            self.state["step"] = "day"
            rows = [(f"day:{d.isoformat()}", day_label(d, self.language), self.near(d, doctor_name)) for d in days]
            text = say("day_not_free", self.language, doctor=doctor_name, day=day_label(day, self.language))
            if rows:
                self.send_list(text, "days", rows)
            else:
                self.reset()
                self.send_buttons(text, [self.button("staff:ask")])
            return
        wanted, part = self.state.get("time"), self.state.get("part")
        text = say("choose_time", self.language, doctor=doctor_name, day=day_label(day, self.language))
        if wanted:
            exact = [slot for slot in slots if f"{timezone.localtime(slot):%H:%M}" == wanted]
            if exact:
                self.ask_confirm(exact[0])
                return
            slots = _nearest(slots, wanted)
            text = say(
                "time_not_free", self.language, doctor=doctor_name, day=day_label(day, self.language), time=wanted
            )
        elif part:
            slots = [slot for slot in slots if _part_of_day(slot) == part] or slots
        self.offer_slots(text, slots)

    def offer_slots(self, text: str, slots: list[datetime.datetime]) -> None:
        self.state["step"] = "time"
        doctor = self.doctor_name()
        rows = [
            (f"slot:{_slot_id(slot)}", f"{timezone.localtime(slot):%H:%M}", f"{self.day(slot)} · {doctor}")
            for slot in _spread(slots)
        ]
        self.send_list(text, "times", rows)

    def ask_confirm(self, starts_at: datetime.datetime) -> None:
        self.state.update(step="confirm", slot=_slot_id(starts_at))
        params = {
            "doctor": self.doctor_name(),
            "day": self.day(starts_at),
            "time": f"{timezone.localtime(starts_at):%H:%M}",
            "clinic": self.clinic_name,
        }
        if self.state.get("flow") == "reschedule":
            appointment = self._appointment()
            key, params["old"] = "confirm_reschedule", self.when(appointment.starts_at)
        else:
            key = "confirm_book"
        self.send_buttons(say(key, self.language, **params), [self.button("confirm:yes"), self.button("confirm:no")])

    def confirmed(self, yes: bool) -> None:
        from clinics.frontdesk import services

        flow = self.state.get("flow")
        if not yes or flow not in ("book", "reschedule", "cancel"):
            self.reset()
            self.send_text(say("not_done", self.language))
            return
        if flow == "cancel":
            appointment = self._appointment()
            services.cancel_appointment(appointment=appointment)
            self.reset()
            self.send_text(
                say(
                    "cancelled",
                    self.language,
                    doctor=appointment.doctor.name_for(self.language),
                    day=self.day(appointment.starts_at),
                    time=f"{timezone.localtime(appointment.starts_at):%H:%M}",
                )
            )
            return
        starts_at = _parse_slot(self.state["slot"])
        try:
            if flow == "book":
                from clinics.frontdesk.models import Doctor

                doctor = Doctor.objects.get(pk=self.state["doctor"])
                appointment = services.book_appointment(
                    patient=self.patient, doctor=doctor, starts_at=starts_at, source="whatsapp"
                )
            else:
                appointment = services.reschedule_appointment(appointment=self._appointment(), starts_at=starts_at)
        except services.SlotUnavailable:
            self.state.update(day=timezone.localdate(starts_at).isoformat(), time=None, part=None)
            self.offer_taken(starts_at)
            return
        self.reset()
        key = "booked" if flow == "book" else "rescheduled"
        self.send_text(
            say(
                key,
                self.language,
                doctor=appointment.doctor.name_for(self.language),
                day=self.day(appointment.starts_at),
                time=f"{timezone.localtime(appointment.starts_at):%H:%M}",
                clinic=self.clinic_name,
            )
        )

    def offer_taken(self, taken: datetime.datetime) -> None:
        from clinics.frontdesk.models import Doctor
        from clinics.frontdesk.selectors import available_slots

        doctor = Doctor.objects.get(pk=self.state["doctor"])
        slots = [
            s
            for s in available_slots(doctor=doctor, day=timezone.localdate(taken))
            if s != taken and s > timezone.now()
        ]
        if slots:
            self.offer_slots(say("slot_taken", self.language), _nearest(slots, f"{timezone.localtime(taken):%H:%M}"))
        else:
            self.send_text(say("slot_taken", self.language))
            self.state.pop("day", None)
            self.offer()

    # --- queue ---------------------------------------------------------------------------------
    def join_queue(self) -> None:
        from clinics.frontdesk import selectors, services

        ticket = selectors.waiting_ticket(patient=self.patient)
        if ticket is not None:
            self.tell_position("queue_status", ticket)
        else:
            self.tell_position("queue_joined", services.join_queue(patient=self.patient, source="whatsapp"))

    def queue_status(self) -> None:
        from clinics.frontdesk.selectors import waiting_ticket

        ticket = waiting_ticket(patient=self.patient)
        if ticket is None:
            self.send_buttons(say("queue_none", self.language), [self.button("queue:join")])
        else:
            self.tell_position("queue_status", ticket)

    def tell_position(self, key: str, ticket) -> None:
        from clinics.frontdesk.selectors import queue_position

        position = queue_position(ticket=ticket)
        if position.ahead <= 0:
            key = f"{key}_next"
        self.send_text(
            say(key, self.language, number=ticket.number, ahead=position.ahead, minutes=position.estimate_minutes)
        )

    # --- clinic information and privacy ------------------------------------------------------
    def clinic_info(self) -> None:
        from clinics.frontdesk.models import FAQ

        faqs = list(FAQ.objects.filter(active=True))
        norm = normalise(self.text)
        topics = [topic for topic, pattern in _FAQ_TOPICS.items() if re.search(pattern, norm)]
        matched = [faq for faq in faqs if faq.topic in topics or _keyword_hit(faq, norm)]
        if matched:
            for faq in matched[:2]:
                self.send_text(faq.answer_for(self.language))
        elif faqs:
            rows = [
                (f"faq:{faq.pk}", say(f"topic_{faq.topic}", self.language), _question(faq, self.language))
                for faq in faqs
            ]
            self.send_list(say("faq_topics", self.language, clinic=self.clinic_name), "topics", rows[:MAX_ROWS])
        elif "hours" in topics:
            from clinics.frontdesk.selectors import opening_hours_text

            self.send_text(opening_hours_text(self.language))
        else:
            self.send_buttons(say("faq_missing", self.language), [self.button("staff:ask")])

    def faq_answer(self, pk: int) -> None:
        from clinics.frontdesk.models import FAQ

        self.send_text(FAQ.objects.get(pk=pk, active=True).answer_for(self.language))

    def privacy_request(self) -> None:
        from privacy.services import open_request_from_whatsapp, request_reply

        request = open_request_from_whatsapp(
            clinic=self.clinic,
            wa_id=self.patient.wa_id,
            kind=_privacy_kind(normalise(self.text)),
            language=self.language,
            text=self.text,
        )
        self.send_text(request_reply(request=request))  # the reference and what happens next

    # --- helpers ---------------------------------------------------------------------------------
    @property
    def clinic_name(self) -> str:
        return self.clinic.name_for(self.language)

    def doctor_name(self) -> str:
        from clinics.frontdesk.models import Doctor

        return Doctor.objects.get(pk=self.state["doctor"]).name_for(self.language)

    def day(self, moment: datetime.datetime) -> str:
        return day_label(timezone.localdate(moment), self.language)

    def near(self, day: datetime.date, doctor_name: str) -> str:
        """A day row's description: "聽日 · 陳醫生" for the next three days, else the doctor."""
        ahead = (day - timezone.localdate()).days
        word = {0: "today", 1: "tomorrow", 2: "day_after"}.get(ahead)
        return f"{say(word, self.language)} · {doctor_name}" if word else doctor_name

    def when(self, moment: datetime.datetime) -> str:
        return f"{self.day(moment)} {timezone.localtime(moment):%H:%M}"

    def button(self, pressed: str) -> tuple[str, str]:
        key = {
            "book:start": "button_book",
            "queue:join": "button_queue",
            "info:list": "button_info",
            "staff:ask": "button_staff",
            "confirm:yes": "button_yes",
            "confirm:no": "button_no",
        }[pressed]
        return pressed, _fit(say(key, self.language), BUTTON_TITLE)

    def _appointment(self):
        from clinics.frontdesk.selectors import upcoming_appointments

        return upcoming_appointments(patient=self.patient).get(pk=self.state["appointment"])

    def _wanted_day(self) -> datetime.date | None:
        day = datetime.date.fromisoformat(self.state["day"]) if self.state.get("day") else None
        return day if day is not None and day >= timezone.localdate() else None

    def _first_day(self) -> datetime.date:
        """Where a day list starts: today, or the Monday of the week the patient asked for."""
        today = timezone.localdate()
        week = datetime.date.fromisoformat(self.state["from"]) if self.state.get("from") else today
        return max(today, week)

    def wanted_when(self) -> str:
        """When the patient asked to come, in words; "" when they have not said."""
        since = self._first_day() if self.state.get("from") else None
        time, part = self.state.get("time"), self.state.get("part")
        return when_label(self.language, day=self._wanted_day(), since=since, time=time, part=part)

    def _continues_flow(self, reading: Reading) -> bool:
        details = reading.date or reading.time or reading.part_of_day or reading.doctor or self.week
        return self.state.get("flow") in ("book", "reschedule") and bool(details)

    def _take_details(self, reading: Reading | None, doctors: list, keep: bool = False) -> None:
        """Date, time, part of day and doctor from the reading, so the flow can skip those steps."""
        if reading is None:
            return
        if reading.date:
            self.state["day"] = reading.date
            self.state.pop("from", None)
            if not reading.time:
                self.state["time"] = None
        elif self.week:
            self.state.update({"from": self.week.isoformat(), "day": None})
        if reading.time:
            self.state["time"] = reading.time
        if reading.part_of_day:
            self.state["part"] = reading.part_of_day
        if reading.doctor and self.state.get("flow") == "book":
            doctor = next((d for d in doctors if doctor_label(d) == reading.doctor), None)
            if doctor is not None and (not keep or self.state.get("doctor") != doctor.pk):
                self.state["doctor"] = doctor.pk

    def learn_language(self, reading: Reading, screened: str | None = None) -> None:
        """Follow the language the patient writes in; "ok", "3" or "asdfgh" says nothing about it."""
        if not self.text or _NEUTRAL.match(self.text.strip()):
            return
        if not screened and reading.intent == "unknown" and _ONE_LATIN_WORD.match(self.text.strip()):
            return
        self.language = reading.language
        if self.patient.language != reading.language:
            self.patient.language = reading.language
            self.patient.save(update_fields=["language"])

    def reset(self, **fresh) -> None:
        self.state = {"unknowns": 0, **{k: self.state[k] for k in _KEPT if k in self.state}, **fresh}

    def save(self) -> None:
        self.conversation.state = self.state
        self.conversation.save(update_fields=["state"])

    def hand_to_staff(self, reason: str, urgent: bool = False) -> None:
        from messaging.services import hand_to_staff

        self.save()
        hand_to_staff(conversation=self.conversation, reason=reason, urgent=urgent)

    # --- sending -----------------------------------------------------------------------------
    def send_text(self, text: str) -> None:
        from messaging.services import queue_text

        self.collection_notice()
        queue_text(conversation=self.conversation, text=text)

    def send_buttons(self, text: str, buttons: list[tuple[str, str]]) -> None:
        from messaging.services import queue_buttons

        self.collection_notice()
        if len(buttons) == 1:
            self.state["offer"] = buttons[0][0]
        queue_buttons(conversation=self.conversation, text=text, buttons=buttons[:3])

    def send_list(self, text: str, button: str, rows: list[tuple[str, str, str]]) -> None:
        from messaging.services import queue_list

        self.collection_notice()
        fitted = [
            (row_id, _fit(title, ROW_TITLE), _fit(description, ROW_DESCRIPTION)) for row_id, title, description in rows
        ]
        queue_list(
            conversation=self.conversation,
            text=text,
            button=_fit(say(f"button_{button}", self.language), BUTTON_TITLE),
            sections=[(_fit(say(f"section_{button}", self.language), ROW_TITLE), fitted[:MAX_ROWS])],
        )

    def collection_notice(self) -> None:
        """A new patient's first reply is preceded by the personal data collection notice (PDPO)."""
        if self._noticed:
            return
        self._noticed = True
        if getattr(self.conversation, "policy_shown_at", True) is not None:
            return  # shown before (or the field does not exist yet)
        from messaging.services import queue_text

        try:
            with transaction.atomic():
                from privacy.selectors import current_policy
                from privacy.services import collection_notice

                notice = collection_notice(language=self.language)
                policy = current_policy()
        except Exception:  # the notice must not cost the patient their answer; staff see the log
            logger.exception("collection_notice_unavailable")
            return
        queue_text(conversation=self.conversation, text=notice)
        self.conversation.policy_version_shown = policy.version if policy else ""
        self.conversation.policy_shown_at = timezone.now()
        self.conversation.save(update_fields=["policy_version_shown", "policy_shown_at"])


def _payload_type(message) -> str:
    payload = getattr(message, "payload", None) or {}
    return str(payload.get("type") or "")


def _bare_media(message) -> str | None:
    """The kind of a photo, document, video, voice message or sticker sent without a caption; else None."""
    kind = getattr(message, "kind", "")
    if kind not in MEDIA:
        return None
    media = (getattr(message, "payload", None) or {}).get(kind)
    caption = media.get("caption") if isinstance(media, dict) else None
    return None if isinstance(caption, str) and caption.strip() else kind


def _announces_nothing(message) -> bool:
    """A sticker or Meta's note that the chat was opened: nothing to tell a patient who waits for staff."""
    return getattr(message, "kind", "") == "sticker" or _payload_type(message) == "request_welcome"


def _within(stamp: str | None, span: datetime.timedelta) -> bool:
    """True when the ISO time `stamp` (from the dialogue state) is less than `span` ago."""
    try:
        return stamp is not None and timezone.now() - datetime.datetime.fromisoformat(stamp) < span
    except (TypeError, ValueError):
        return False


def _yes_or_no(text: str) -> bool | None:
    bare = normalise(text).strip(" ?.!")
    bare = re.sub(r"\s*(?:唔該|thanks|thx|please|pls)$", "", bare)
    if _YES.match(bare):
        return True
    if _NO.match(bare):
        return False
    return None


def _other(language: str) -> str:
    return "en" if language != "en" else "zh-Hant-HK"


def _fit(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slot_id(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def _parse_slot(value: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M"))


def _minutes(moment: datetime.datetime) -> int:
    local = timezone.localtime(moment)
    return local.hour * 60 + local.minute


def _clock_minutes(hhmm: str) -> int:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return hour * 60 + minute


def _nearest(slots: list[datetime.datetime], wanted: str) -> list[datetime.datetime]:
    target = _clock_minutes(wanted)
    return sorted(sorted(slots, key=lambda slot: abs(_minutes(slot) - target))[:MAX_ROWS])


def _spread(slots: list[datetime.datetime]) -> list[datetime.datetime]:
    """At most ten times, spread over the day rather than the first ten of the morning."""
    if len(slots) <= MAX_ROWS:
        return slots
    step = math.ceil(len(slots) / MAX_ROWS)
    return slots[::step][:MAX_ROWS]


def _part_of_day(moment: datetime.datetime) -> str:
    hour = timezone.localtime(moment).hour
    return "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"  # noqa: PLR2004


def _keyword_hit(faq, norm: str) -> bool:
    words = [normalise(word) for word in (faq.keywords or "").split(",")]
    return any(word and word in norm for word in words)


def _question(faq, language: str) -> str:
    return faq.question_zh if language != "en" else faq.question_en


def _privacy_kind(norm: str) -> str:
    if re.search(r"刪除|删除|刪|delete|erase|remove my|forget me", norm):
        return "erasure"
    if re.search(r"更正|修改|改正|correct|update my|wrong", norm):
        return "correction"
    return "access"
