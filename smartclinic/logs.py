"""Log hygiene: a record never carries a phone number, an HKID or a card number."""

import logging
import re

# Any run of 8+ digits (phone numbers, wa_ids, card numbers), allowing spaces and dashes.
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s-]?\d){7,}")
_HKID = re.compile(r"\b[A-Z]{1,2}\d{6}\(?[0-9A]\)?", re.IGNORECASE)


def redact(text: str) -> str:
    return _HKID.sub("[id]", _LONG_NUMBER.sub("[number]", text))


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
