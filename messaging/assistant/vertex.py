"""Gemini on Vertex AI as an understanding engine: structured output, short timeout, strict checks.

`read` raises `VertexUnavailable` on any failure (network, HTTP error, timeout, an answer that
breaks the schema); the caller falls back to the offline engine. Gemini sees the message text
and the clinic's context only: never a phone number or a patient's name.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from typing import TYPE_CHECKING

from django.conf import settings

from .reading import INTENTS, LANGUAGES, PARTS_OF_DAY, READING_SCHEMA, Reading

if TYPE_CHECKING:
    from .engine import ClinicContext

ENGINE = "vertex"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", flags=re.ASCII)
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$", flags=re.ASCII)
_MAX_TEXT = 2000  # a WhatsApp text can be 4096 characters; the tail never changes the intent

_INSTRUCTION = """\
You read WhatsApp messages that patients send to a private medical clinic in Hong Kong.
Patients write Cantonese, written Chinese, English or a mix, with typos and emoji.
Return only the JSON reading. Never answer the patient and never give medical advice.

Intents:
- greeting, thanks: small talk only.
- book_appointment: wants to see a doctor or book a time (also a bare date or time answering a booking question).
- reschedule_appointment, cancel_appointment: changes an existing appointment.
- join_queue: wants a walk-in queue number today (攞籌). queue_status: asks their place in the queue (排到幾多號).
- clinic_info: opening hours, address, fees, elderly health care vouchers, insurance, other clinic facts.
- talk_to_staff: wants a human. opt_out / opt_in: stop or resume messages from the clinic.
- emergency: chest pain, cannot breathe, stroke signs, heavy bleeding, unconscious, suicidal thoughts.
- medical_question: asks about a diagnosis, a medicine or dose, or test results.
- privacy_request: asks to see, correct or delete their personal data, or how it is used.
- unknown: anything else.

Dates are resolved against today's date in Hong Kong (聽日 = tomorrow, 後日 = the day after, 下個禮拜三 =
Wednesday of next week) and written YYYY-MM-DD. Times are 24-hour HH:MM (三點半 = 15:30 when said of a clinic
visit; 朝早 = morning, 晏晝 / 下晝 = afternoon, 夜晚 = evening). Doctor is one of the clinic's doctors exactly as
listed, or null. Language is zh-Hant-HK when the message has Chinese characters, else en."""


class VertexUnavailable(Exception):
    """Vertex AI did not give a usable reading; use the offline engine."""


def read(text: str, *, context: ClinicContext) -> Reading:
    """Ask Gemini for a reading of `text`; raise VertexUnavailable unless the answer is valid."""
    from google.genai import types

    client = _client(
        settings.VERTEX_PROJECT,
        settings.VERTEX_LOCATION,
        settings.VERTEX_BASE_URL,
        int(settings.VERTEX_TIMEOUT_SECONDS * 1000),
    )
    config = types.GenerateContentConfig(
        system_instruction=_instruction(context),
        response_mime_type="application/json",
        response_json_schema=READING_SCHEMA,
        temperature=0,
        max_output_tokens=256,
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),  # no tools: one call
    )
    try:
        response = client.models.generate_content(model=settings.VERTEX_MODEL, contents=text[:_MAX_TEXT], config=config)
        answer = json.loads(response.text or "")
    except Exception as exc:  # noqa: BLE001 - any failure of the call means "use offline"
        raise VertexUnavailable(type(exc).__name__) from exc
    return _validated(answer, context=context)


def _instruction(context: ClinicContext) -> str:
    doctors = "\n".join(f"- {name}" for name in context.doctors) or "- (none listed)"
    lines = [
        _INSTRUCTION,
        "",
        f"Clinic: {context.clinic_name or 'the clinic'}",
        f"Today in Hong Kong: {context.today.isoformat()} ({context.today:%A})",
        f"Doctors:\n{doctors}",
    ]
    if context.expecting:
        lines.append(f"The clinic has just asked the patient for: {context.expecting}")
    return "\n".join(lines)


@functools.lru_cache(maxsize=4)
def _client(project: str, location: str, base_url: str, timeout_ms: int):
    from google import genai
    from google.genai import types

    http_options = types.HttpOptions(
        base_url=base_url or None,
        timeout=timeout_ms,
        retry_options=types.HttpRetryOptions(attempts=1),  # a retry would only delay the offline answer
    )
    kwargs = {}
    if base_url:
        # The local stand-in: a static token (anonymous credentials make the client try to refresh).
        import google.oauth2.credentials

        kwargs["credentials"] = google.oauth2.credentials.Credentials(token="local-stand-in")  # noqa: S106
    return genai.Client(vertexai=True, project=project, location=location, http_options=http_options, **kwargs)


def _validated(answer: object, *, context: ClinicContext) -> Reading:
    """The answer as a Reading, or VertexUnavailable when it breaks the schema."""
    if not isinstance(answer, dict):
        raise VertexUnavailable("not an object")
    intent, language = answer.get("intent"), answer.get("language")
    if intent not in INTENTS or language not in LANGUAGES:
        raise VertexUnavailable("intent or language outside the vocabulary")
    date = answer.get("date")
    if date is not None and not _is_iso_date(date):
        raise VertexUnavailable("date is not YYYY-MM-DD")
    time = answer.get("time")
    if time is not None and not (isinstance(time, str) and _TIME.match(time)):
        raise VertexUnavailable("time is not HH:MM")
    part = answer.get("part_of_day")
    if part is not None and part not in PARTS_OF_DAY:
        raise VertexUnavailable("part_of_day outside the vocabulary")
    doctor = answer.get("doctor")
    if doctor is not None and doctor not in context.doctors:
        doctor = None  # a doctor the clinic does not have: the dialogue will ask
    confidence = answer.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise VertexUnavailable("confidence is not a number")
    return Reading(
        intent=intent,
        language=language,
        date=date,
        time=time,
        part_of_day=part,
        doctor=doctor,
        confidence=round(min(max(float(confidence), 0.0), 1.0), 2),
        engine=ENGINE,
    )


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True
