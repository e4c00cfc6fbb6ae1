"""Log hygiene: a record never carries a phone number, an HKID or a card number."""

import logging
import re

# Any run of 8+ digits (phone numbers, wa_ids, card numbers), allowing spaces and dashes.
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s-]?\d){7,}")
_HKID = re.compile(r"\b[A-Z]{1,2}\d{6}\(?[0-9A]\)?", re.IGNORECASE)


def redact(text: str) -> str:
    return _HKID.sub("[id]", _LONG_NUMBER.sub("[number]", text))


# What every record has; anything else came in through `extra=` and is written out as a JSON field.
_STANDARD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD_FIELDS and isinstance(value, str | int) and not isinstance(value, bool):
                cleaned = redact(str(value))
                if cleaned != str(value):
                    setattr(record, name, cleaned)
        return True
