"""Redis counters: a number flooding a clinic is throttled before it can spend the clinic's budget.

Keys name the clinic's schema and the patient's id, never a phone number.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

OK, THROTTLED, PAUSED = "ok", "throttled", "paused"


def bump(key: str, *, seconds: int) -> int:
    """Add one to a counter that expires `seconds` after its first count; return the new value."""
    cache.add(key, 0, timeout=seconds)
    return cache.incr(key)


def paused(*, patient_id: int) -> bool:
    """True while a patient who flooded the clinic is paused (counts nothing)."""
    return bool(cache.get(f"assistant:paused:{connection.schema_name}:{patient_id}"))


def check(*, patient_id: int, now: float | None = None) -> str:
    """OK, THROTTLED (this message tipped the patient over the limit: answer once) or PAUSED (stay silent)."""
    schema = connection.schema_name
    paused_key = f"assistant:paused:{schema}:{patient_id}"
    if cache.get(paused_key):
        return PAUSED
    limit = getattr(settings, "ASSISTANT_FLOOD_PER_MINUTE", 20)
    now = time.time() if now is None else now
    minute, into = divmod(now, 60)
    current = bump(f"assistant:flood:{schema}:{patient_id}:{int(minute)}", seconds=120)
    previous = cache.get(f"assistant:flood:{schema}:{patient_id}:{int(minute) - 1}") or 0
    # A sliding minute, estimated from two fixed ones, so a burst across a minute boundary still counts.
    if current + previous * (1 - into / 60) <= limit:
        return OK
    pause = 60 * getattr(settings, "ASSISTANT_FLOOD_PAUSE_MINUTES", 15)
    return THROTTLED if cache.add(paused_key, 1, timeout=pause) else PAUSED
