"""The one understanding function: Vertex AI when configured and within budget, else offline.

The safety screen's intents (emergency, STOP, START, a human, a medical question) never go to a
model: they must not depend on one being up, and they must not spend the clinic's budget.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import offline, vertex
from .flood import bump
from .reading import Reading
from .screen import screen

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClinicContext:
    """What an engine may know besides the message: never a phone number or a patient's name."""

    today: datetime.date
    doctors: tuple[str, ...] = ()
    clinic_name: str = ""
    expecting: str | None = None


def clinic_context(*, expecting: str | None = None) -> ClinicContext:
    """The context of the clinic whose schema the connection is in (or a bare one in public)."""
    from clinics.frontdesk.models import Doctor

    clinic = getattr(connection, "tenant", None)
    if clinic is None or connection.schema_name == "public" or not hasattr(clinic, "name_en"):
        return ClinicContext(today=timezone.localdate(), expecting=expecting)
    return ClinicContext(
        today=timezone.localdate(),
        doctors=tuple(doctor_label(d) for d in Doctor.objects.filter(active=True)),
        clinic_name=f"{clinic.name_en} {clinic.name_zh}".strip(),
        expecting=expecting,
    )


def doctor_label(doctor) -> str:
    """How a doctor is named to the engines ("Dr Chan Tai Man 陳大文醫生"); readings name doctors by it."""
    return f"{doctor.name_en} {doctor.name_zh}".strip()


def understand(text: str, *, clinic_context: ClinicContext, engine: str | None = None) -> Reading:
    """Read a patient's message. Never raises; `engine` forces "offline" or "vertex" (if configured)."""
    context = clinic_context
    text = text if isinstance(text, str) else str(text)
    if engine != "offline" and settings.VERTEX_PROJECT and screen(text) is None and _within_budget():
        try:
            return vertex.read(text, context=context)
        except vertex.VertexUnavailable as exc:
            logger.warning("vertex_fallback", extra={"reason": str(exc), "schema": connection.schema_name})
        except Exception:  # noqa: BLE001 - understanding must never fail the message
            logger.exception("vertex_error", extra={"schema": connection.schema_name})
    return offline.understand(text, today=context.today, doctors=context.doctors, expecting=context.expecting)


def budget_key(*, schema: str, day: datetime.date) -> str:
    return f"assistant:vertex-budget:{schema}:{day.isoformat()}"


def _within_budget() -> bool:
    """Count one Vertex call against the clinic's daily budget; False once it is spent (or Redis is down)."""
    key = budget_key(schema=connection.schema_name, day=timezone.localdate())
    try:
        used = bump(key, seconds=2 * 24 * 3600)
    except Exception:  # noqa: BLE001 - without a counter we cannot promise the budget: stay offline
        logger.warning("vertex_budget_unavailable", extra={"schema": connection.schema_name})
        return False
    if used > settings.VERTEX_DAILY_BUDGET:
        if used == settings.VERTEX_DAILY_BUDGET + 1:
            logger.warning("vertex_budget_spent", extra={"schema": connection.schema_name})
        return False
    return True
