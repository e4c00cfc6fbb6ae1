"""Fuzzing the one understanding function: whatever arrives, a valid Reading comes back."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.assistant.engine import ClinicContext, understand
from messaging.assistant.reading import INTENTS, LANGUAGES

CONTEXT = ClinicContext(today=datetime.date(2026, 11, 18), doctors=("Dr Chan Tai Man 陳大文醫生",))


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=5000) | st.binary(max_size=300).map(lambda b: b.decode("utf-8", "replace")))
def test_understand_never_raises_and_always_reads_within_the_vocabulary(text):
    reading = understand(text, clinic_context=CONTEXT)
    assert reading.intent in INTENTS and reading.language in LANGUAGES
    assert reading.date is None or datetime.date.fromisoformat(reading.date)
