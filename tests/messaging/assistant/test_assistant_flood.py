"""The flood counter: more than 20 messages a minute from one patient pauses the assistant for them."""

import pytest
from django.core.cache import cache
from django.db import connection

from messaging.assistant import flood

NOW = 1_800_000_010.0  # ten seconds into a minute


@pytest.fixture
def fresh():
    def forget():
        for schema in ("alpha", "beta"):
            connection.set_schema(schema)
            for patient_id in (1, 2):
                cache.delete(f"assistant:paused:{schema}:{patient_id}")
                for minute in range(int(NOW // 60) - 2, int(NOW // 60) + 3):
                    cache.delete(f"assistant:flood:{schema}:{patient_id}:{minute}")
        connection.set_schema_to_public()

    forget()
    connection.set_schema("alpha")
    yield
    forget()


def test_twenty_messages_a_minute_are_fine_and_the_twenty_first_throttles_once(fresh):
    results = [flood.check(patient_id=1, now=NOW + i) for i in range(23)]
    assert results[:20] == [flood.OK] * 20
    assert results[20:] == [flood.THROTTLED, flood.PAUSED, flood.PAUSED]


def test_a_paused_patient_stays_paused_after_the_minute_is_over(fresh):
    for i in range(21):
        flood.check(patient_id=1, now=NOW + i)
    assert flood.check(patient_id=1, now=NOW + 300) == flood.PAUSED


def test_a_burst_across_a_minute_boundary_still_counts(fresh):
    first = [flood.check(patient_id=1, now=NOW + 38 + i) for i in range(12)]  # seconds 48-59 of one minute
    second = [flood.check(patient_id=1, now=NOW + 50 + i) for i in range(12)]  # seconds 0-11 of the next
    assert set(first) == {flood.OK}
    assert flood.THROTTLED in second


def test_another_patient_is_not_throttled(fresh):
    for i in range(21):
        flood.check(patient_id=1, now=NOW + i)
    assert flood.check(patient_id=2, now=NOW + 22) == flood.OK


def test_the_same_patient_id_in_another_clinic_is_not_throttled(fresh):
    for i in range(21):
        flood.check(patient_id=1, now=NOW + i)
    connection.set_schema("beta")
    assert flood.check(patient_id=1, now=NOW + 22) == flood.OK


def test_the_limit_comes_from_settings(fresh, settings):
    settings.ASSISTANT_FLOOD_PER_MINUTE = 3
    assert [flood.check(patient_id=1, now=NOW + i) for i in range(4)][-1] == flood.THROTTLED
