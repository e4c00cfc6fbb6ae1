"""Reads in a clinic's schema. Call inside the clinic's tenant context.

Availability is computed here from doctors' weekly hours, closures and Hong Kong public
holidays (Asia/Hong_Kong); nothing about free slots is stored.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.db.models import Avg, Count, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from clinics.frontdesk.models import (
    Appointment,
    ClinicSettings,
    Closure,
    Doctor,
    Patient,
    QueueTicket,
    Reminder,
    WorkingHours,
)
from clinics.frontdesk.texts import text

DEFAULT_SERVICE_MINUTES = 10


@dataclass(frozen=True)
class QueuePosition:
    ahead: int
    estimate_minutes: int


def clinic_settings() -> ClinicSettings:
    settings_row, _ = ClinicSettings.objects.get_or_create(pk=1)
    return settings_row


@lru_cache(maxsize=8)
def _hk_holidays(year: int) -> holidays.HolidayBase:
    # General holidays (Good Friday, Easter Saturday...) too: private clinics close on them.
    return holidays.HK(years=year, categories=holidays.HK.supported_categories)


def holiday_name(day: date) -> str | None:
    return _hk_holidays(day.year).get(day)


def closed_reason(day: date) -> str | None:
    """ "closure" or "holiday" when the whole clinic is shut that day, else None."""
    if Closure.objects.filter(date=day).exists():
        return "closure"
    if holiday_name(day):
        return "holiday"
    return None


def _at(day: date, moment) -> datetime:
    return datetime.combine(day, moment, tzinfo=timezone.get_current_timezone())


def session_slots(*, doctor: Doctor, day: date) -> list[datetime]:
    """Every slot start of the doctor's sessions that day, ignoring bookings, closures and the clock."""
    step = timedelta(minutes=doctor.slot_minutes)
    slots = []
    for hours in doctor.working_hours.filter(weekday=day.weekday()):
        start, end = _at(day, hours.starts_at), _at(day, hours.ends_at)
        while start + step <= end:
            slots.append(start)
            start += step
    return sorted(set(slots))


def available_slots(*, doctor: Doctor, day: date, lead_minutes: int | None = None) -> list[datetime]:
    """Free slot starts (aware, Asia/Hong_Kong) for a doctor on a day; never in the past nor inside the lead time."""
    if not doctor.active or closed_reason(day):
        return []
    if lead_minutes is None:
        lead_minutes = clinic_settings().booking_lead_minutes
    earliest = timezone.now() + timedelta(minutes=lead_minutes)
    slots = [slot for slot in session_slots(doctor=doctor, day=day) if slot >= earliest]
    if not slots:
        return []
    step = timedelta(minutes=doctor.slot_minutes)
    taken = list(
        Appointment.objects.filter(doctor=doctor, starts_at__lt=slots[-1] + step, ends_at__gt=slots[0])
        .exclude(status__in=Appointment.INACTIVE)
        .values_list("starts_at", "ends_at")
    )
    return [slot for slot in slots if not any(start < slot + step and slot < end for start, end in taken)]


def available_days(*, doctor: Doctor | None = None, start: date, days: int = 14) -> list[date]:
    doctors = [doctor] if doctor is not None else list(Doctor.objects.filter(active=True))
    lead = clinic_settings().booking_lead_minutes
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if any(available_slots(doctor=each, day=day, lead_minutes=lead) for each in doctors):
            found.append(day)
    return found


def upcoming_appointments(*, patient: Patient) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(patient=patient, starts_at__gte=timezone.now())
        .exclude(status__in=Appointment.INACTIVE)
        .select_related("doctor")
        .order_by("starts_at")
    )


def appointments_between(*, start: datetime, end: datetime) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("doctor", "patient")
        .order_by("starts_at", "doctor__name_en")
    )


# --- the walk-in queue ----------------------------------------------------------------
def average_service_minutes(*, day: date) -> float:
    average = QueueTicket.objects.filter(
        day=day, status=QueueTicket.Status.SERVED, called_at__isnull=False, served_at__isnull=False
    ).aggregate(average=Avg(F("served_at") - F("called_at")))["average"]
    if not average:
        return DEFAULT_SERVICE_MINUTES
    return max(average.total_seconds() / 60, 1)


def queue_position(*, ticket: QueueTicket) -> QueuePosition:
    if ticket.status != QueueTicket.Status.WAITING:
        return QueuePosition(ahead=0, estimate_minutes=0)
    ahead = QueueTicket.objects.filter(
        day=ticket.day, status=QueueTicket.Status.WAITING, number__lt=ticket.number
    ).count()
    return QueuePosition(ahead=ahead, estimate_minutes=math.ceil(ahead * average_service_minutes(day=ticket.day)))


def waiting_ticket(*, patient: Patient) -> QueueTicket | None:
    """The patient's ticket today that is still waiting or just called, if any."""
    return (
        QueueTicket.objects.filter(
            patient=patient,
            day=timezone.localdate(),
            status__in=[QueueTicket.Status.WAITING, QueueTicket.Status.CALLED],
        )
        .order_by("-number")
        .first()
    )


def queue_board(*, day: date | None = None) -> dict:
    """What the waiting-room screen shows: numbers only, never names."""
    day = day or timezone.localdate()
    tickets = QueueTicket.objects.filter(day=day)
    called = list(
        tickets.filter(status=QueueTicket.Status.CALLED)
        .order_by("-called_at", "-number")
        .values_list("number", flat=True)
    )
    waiting = list(
        tickets.filter(status=QueueTicket.Status.WAITING).order_by("number").values_list("number", flat=True)
    )
    return {
        "day": day.isoformat(),
        "now_serving": called[0] if called else None,
        "called": called[:5],
        "waiting": waiting[:20],
        "waiting_count": len(waiting),
        "estimate_minutes": math.ceil(len(waiting) * average_service_minutes(day=day)),
    }


# --- opening hours ----------------------------------------------------------------------
def _sessions_by_weekday() -> dict[int, list[tuple]]:
    sessions: dict[int, set[tuple]] = {}
    for hours in WorkingHours.objects.filter(doctor__active=True):
        sessions.setdefault(hours.weekday, set()).add((hours.starts_at, hours.ends_at))
    return {weekday: _merged(sorted(spans)) for weekday, spans in sessions.items()}


def _merged(spans: list[tuple]) -> list[tuple]:
    merged: list[list] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(span) for span in merged]


def opening_hours_text(language: str) -> str:
    """One line per weekday, from the active doctors' hours, in the patient's language."""
    sessions = _sessions_by_weekday()
    lines = []
    for weekday in range(7):
        spans = sessions.get(weekday)
        hours = (
            text("hours_separator", language).join(f"{start:%H:%M}–{end:%H:%M}" for start, end in spans)
            if spans
            else text("closed", language)
        )
        lines.append(text("hours_line", language, day=text(f"weekday_{weekday}", language), hours=hours))
    lines.append(text("closed_on_holidays", language))
    return "\n".join(lines)


def is_open_now() -> bool:
    now = timezone.localtime()
    if closed_reason(now.date()):
        return False
    return any(start <= now.time() < end for start, end in _sessions_by_weekday().get(now.weekday(), []))


def next_opening() -> datetime | None:
    """Now when the clinic is open, else the start of its next session within two weeks."""
    if is_open_now():
        return timezone.localtime()
    now = timezone.localtime()
    sessions = _sessions_by_weekday()
    for offset in range(15):
        day = now.date() + timedelta(days=offset)
        if closed_reason(day):
            continue
        for start, _end in sessions.get(day.weekday(), []):
            opening = _at(day, start)
            if opening > now:
                return opening
    return None


# --- statistics (aggregates only: no names, numbers or texts) ------------------------------
def _day_series(rows, days: list[date], key: str = "n") -> list[int]:
    by_day = {row["day"]: row[key] for row in rows}
    return [by_day.get(day, 0) for day in days]


def clinic_statistics(*, days: int = 30) -> dict:
    """The manager's dashboard: per-day series and totals over the last `days` days."""
    from messaging.models import Message  # messaging depends on frontdesk, not the other way round

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    since = datetime.combine(day_list[0], datetime.min.time(), tzinfo=tz)
    per_day = TruncDate("created_at", tzinfo=tz)

    messages = (
        Message.objects.filter(created_at__gte=since)
        .annotate(day=per_day)
        .values("day", "direction")
        .annotate(n=Count("id"))
    )
    inbound = _day_series([m for m in messages if m["direction"] == "in"], day_list)
    outbound = _day_series([m for m in messages if m["direction"] == "out"], day_list)

    appointments = Appointment.objects.filter(created_at__gte=since)
    by_source = dict(appointments.values_list("source").annotate(n=Count("id")))
    visits = Appointment.objects.filter(starts_at__gte=since, starts_at__lt=timezone.now())
    by_status = dict(visits.values_list("status").annotate(n=Count("id")))
    attended = by_status.get(Appointment.Status.COMPLETED, 0) + by_status.get(Appointment.Status.NO_SHOW, 0)

    waits = (
        QueueTicket.objects.filter(day__gte=day_list[0], called_at__isnull=False)
        .values("day")
        .annotate(wait=Avg(F("called_at") - F("joined_at")), n=Count("id"))
    )
    wait_minutes = {row["day"]: round(row["wait"].total_seconds() / 60, 1) for row in waits}

    sent = Reminder.objects.filter(sent_at__gte=since)
    reminder_statuses = dict(
        Message.objects.filter(pk__in=sent.exclude(message_id=None).values("message_id"))
        .values_list("status")
        .annotate(n=Count("id"))
    )
    sent_count = sent.count()
    delivered = sum(reminder_statuses.get(status, 0) for status in ("delivered", "read"))
    return {
        "days": day_list,
        "messages_in": inbound,
        "messages_out": outbound,
        "bookings_by_source": {source: by_source.get(source, 0) for source in Appointment.Source.values},
        "visits_by_status": {status: by_status.get(status, 0) for status in Appointment.Status.values},
        "no_show_rate": round(100 * by_status.get(Appointment.Status.NO_SHOW, 0) / attended, 1) if attended else None,
        "queue_wait_minutes": [wait_minutes.get(day, 0) for day in day_list],
        "reminders_sent": sent_count,
        "reminders_skipped": Reminder.objects.filter(status=Reminder.Status.SKIPPED, send_at__gte=since).count(),
        "reminder_delivery_rate": round(100 * delivered / sent_count, 1) if sent_count else None,
        "reminder_read_rate": round(100 * reminder_statuses.get("read", 0) / sent_count, 1) if sent_count else None,
        "opt_outs": Patient.objects.filter(opted_out_at__gte=since).count(),
        "opted_out_total": Patient.objects.filter(opted_out_at__isnull=False).count(),
    }


def bar_chart(*, title: str, days: list[date], values: list[float], colour: str, height: int = 120) -> dict:
    """Bars for an inline SVG 600 wide, scaled to the largest value (no chart library, no CDN)."""
    top = max(values, default=0) or 1
    step = 600 / max(len(values), 1)
    bars = [
        {
            "x": round(index * step, 1),
            "y": round(height - height * value / top, 1),
            "w": round(step * 0.8, 1),
            "h": round(height * value / top, 1),
            "value": value,
            "label": f"{day:%m-%d}",
        }
        for index, (day, value) in enumerate(zip(days, values, strict=True))
    ]
    return {
        "title": title,
        "bars": bars,
        "colour": colour,
        "max": max(values, default=0),
        "first": f"{days[0]:%m-%d}" if days else "",
        "last": f"{days[-1]:%m-%d}" if days else "",
    }
