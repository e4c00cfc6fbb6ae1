"""The structured reading of a patient's message, shared by the offline and Gemini engines."""

from __future__ import annotations

from dataclasses import asdict, dataclass

INTENTS = (
    "greeting",
    "thanks",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "join_queue",
    "queue_status",
    "clinic_info",
    "talk_to_staff",
    "opt_out",
    "opt_in",
    "emergency",
    "medical_question",
    "privacy_request",
    "unknown",
)
PARTS_OF_DAY = ("morning", "afternoon", "evening")
LANGUAGES = ("zh-Hant-HK", "en")

# Only features Gemini's structured output accepts: type, enum, properties, required,
# description, and nullability as a ["x", "null"] type list.
READING_SCHEMA = {
    "type": "object",
    "properties": {
        "intent": {
            "type": "string",
            "enum": list(INTENTS),
            "description": "What the patient wants from the clinic.",
        },
        "language": {
            "type": "string",
            "enum": list(LANGUAGES),
            "description": "zh-Hant-HK when the message is (partly) Chinese, else en.",
        },
        "date": {
            "type": ["string", "null"],
            "description": "Requested date as ISO YYYY-MM-DD, resolved in Hong Kong time.",
        },
        "time": {
            "type": ["string", "null"],
            "description": "Requested time as 24-hour HH:MM.",
        },
        "part_of_day": {
            "type": ["string", "null"],
            "enum": [*PARTS_OF_DAY, None],
            "description": "Requested part of the day when no exact time is given.",
        },
        "doctor": {
            "type": ["string", "null"],
            "description": "The clinic doctor's display name exactly as listed, if named.",
        },
        "confidence": {
            "type": "number",
            "description": "How sure the reading is, from 0 to 1.",
        },
    },
    "required": [
        "intent",
        "language",
        "date",
        "time",
        "part_of_day",
        "doctor",
        "confidence",
    ],
}


@dataclass(frozen=True)
class Reading:
    intent: str
    language: str
    date: str | None = None
    time: str | None = None
    part_of_day: str | None = None
    doctor: str | None = None
    confidence: float = 0.0
    engine: str = "offline"

    def as_dict(self) -> dict:
        return asdict(self)
