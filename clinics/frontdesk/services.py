"""Writes in a clinic's schema. Call inside the clinic's tenant context."""

from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.frontdesk import sheets
from clinics.frontdesk.models import (
    Appointment,
    Doctor,
    Language,
    Patient,
    QueueDay,
    QueueTicket,
    Reminder,
)
from clinics.frontdesk.selectors import (
    clinic_settings,
    closed_reason,
    queue_position,
    session_slots,
    waiting_ticket,
)
from clinics.frontdesk.texts import template_for, text

# What each clinic role may do, by app label and action; new models inherit by app.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "manager": {
        "frontdesk": ("view", "add", "change", "delete"),
        "messaging": ("view", "add", "change", "delete"),
        "auth": ("view", "add", "change"),
        "auditlog": ("view",),
    },
    "receptionist": {
        "frontdesk": ("view", "add", "change"),
        "messaging": ("view", "add", "change"),
    },
    "nurse": {
        "frontdesk": ("view", "add", "change"),
        "messaging": ("view",),
    },
}


# The clinic's own configuration is the manager's; machine tables are only ever read by people.
MANAGER_ONLY_MODELS = {("frontdesk", "clinicsettings")}
READ_ONLY_MODELS = {("frontdesk", "sheetrow"), ("frontdesk", "queueday"), ("messaging", "webhookevent")}


def _grants(role: str, permission: Permission) -> bool:
    model = (permission.content_type.app_label, permission.content_type.model)
    action = permission.codename.split("_", 1)[0]
    if action not in ROLE_PERMISSIONS[role].get(model[0], ()):
        return False
    if model in READ_ONLY_MODELS and action != "view":
        return False
    return role == "manager" or model not in MANAGER_ONLY_MODELS


def ensure_staff_roles() -> dict[str, Group]:
    """Create or refresh the manager / receptionist / nurse groups of this clinic."""
    groups = {}
    everything = list(Permission.objects.select_related("content_type"))
    for role in ROLE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=role)
        permissions = [permission for permission in everything if _grants(role, permission)]
        group.permissions.set(permissions)
        groups[role] = group
    return groups


@transaction.atomic
def create_staff_member(*, email: str, password: str, role: str, first_name: str = ""):
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLE_PERMISSIONS)}.")
    groups = ensure_staff_roles()
    user = get_user_model().objects.create_user(
        username=email, email=email, password=password, first_name=first_name, is_staff=True
    )
    user.groups.add(groups[role])
    return user


# --- patients -------------------------------------------------------------------------
def get_or_create_patient(*, wa_id: str, name: str = "", language: str | None = None) -> Patient:
    patient, created = Patient.objects.get_or_create(
        wa_id=wa_id, defaults={"name": name, "language": language or Language.ZH}
    )
    changed = []
    if not created and name and not patient.name:
        patient.name = name
        changed.append("name")
    if not created and language and language != patient.language:
        patient.language = language
        changed.append("language")
    if changed:
        patient.save(update_fields=changed)
    return patient


def opt_out(*, patient: Patient) -> None:
    """STOP: no more reminders or other business-initiated messages (scheduled ones are skipped when due)."""
    Patient.objects.filter(pk=patient.pk, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
    patient.refresh_from_db(fields=["opted_out_at"])


def opt_in(*, patient: Patient) -> None:
    Patient.objects.filter(pk=patient.pk).update(opted_out_at=None)
    patient.refresh_from_db(fields=["opted_out_at"])


def _tell(patient: Patient | None, key: str, *, reminder: bool = False, **params):
    """Tell a patient on WhatsApp through messaging's one door; returns the Message or None."""
    if patient is None:
        return None
    from messaging.services import notify_patient  # messaging imports frontdesk: import at call time

    template, parameters = template_for(key, **params)
    return notify_patient(
        patient=patient,
        text=text(key, patient.language, **params),
        template=template,
        parameters=parameters,
        reminder=reminder,
    )


def _when(appointment: Appointment, language: str) -> dict[str, str]:
    starts = timezone.localtime(appointment.starts_at)
    return {"doctor": appointment.doctor.name_for(language), "date": f"{starts:%Y-%m-%d}", "time": f"{starts:%H:%M}"}


# --- appointments ---------------------------------------------------------------------
class SlotUnavailable(Exception):  # noqa: N818 - the contract's name
    """The time cannot be booked; `reason` is a code, str() a sentence for staff."""

    MESSAGES = {
        "past": _("That time has already passed."),
        "too_soon": _("That time is too soon to book on WhatsApp."),
        "closure": _("The clinic is closed that day."),
        "holiday": _("That day is a Hong Kong public holiday."),
        "doctor_inactive": _("This doctor is not taking appointments."),
        "outside_hours": _("That time is not one of the doctor's appointment slots."),
        "taken": _("The doctor already has an appointment at that time."),
        "patient_busy": _("The patient already has an appointment at that time."),
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(str(self.MESSAGES.get(reason, reason)))


def check_bookable(
    *, doctor: Doctor, starts_at: datetime, source: str, patient: Patient | None = None, exclude_pk: int | None = None
) -> None:
    """Raise SlotUnavailable unless the slot can be booked now (the database constraint stays the last word)."""
    starts_at = timezone.localtime(starts_at)
    now = timezone.now()
    if starts_at < now:
        raise SlotUnavailable("past")
    if source == Appointment.Source.WHATSAPP and starts_at < now + timedelta(
        minutes=clinic_settings().booking_lead_minutes
    ):
        raise SlotUnavailable("too_soon")
    reason = closed_reason(starts_at.date())
    if reason:
        raise SlotUnavailable(reason)
    if not doctor.active:
        raise SlotUnavailable("doctor_inactive")
    if starts_at not in session_slots(doctor=doctor, day=starts_at.date()):
        raise SlotUnavailable("outside_hours")
    ends_at = starts_at + timedelta(minutes=doctor.slot_minutes)
    overlapping = (
        Appointment.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(status__in=Appointment.INACTIVE)
        .exclude(pk=exclude_pk)
    )
    if overlapping.filter(doctor=doctor).exists():
        raise SlotUnavailable("taken")
    if patient is not None and overlapping.filter(patient=patient).exists():
        raise SlotUnavailable("patient_busy")


def _reason_from(error: IntegrityError) -> str:
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""
    return "patient_busy" if "patient" in constraint else "taken"


def book_appointment(
    *, patient: Patient, doctor: Doctor, starts_at: datetime, source: str = "whatsapp", booked_by=None
) -> Appointment:
    """Book a slot or raise SlotUnavailable. Staff bookings tell the patient on WhatsApp."""
    check_bookable(doctor=doctor, starts_at=starts_at, source=source, patient=patient)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                patient=patient,
                doctor=doctor,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=doctor.slot_minutes),
                source=source,
                created_by=booked_by,
            )
    except IntegrityError as error:  # a concurrent booking won the race
        raise SlotUnavailable(_reason_from(error)) from error
    _schedule_appointment_reminder(appointment)
    sheets.queue_appointment_row(appointment=appointment, event="booked")
    if source == Appointment.Source.STAFF:
        _tell(patient, "appointment_booked", **_when(appointment, patient.language))
    return appointment


@transaction.atomic
def cancel_appointment(*, appointment: Appointment, by=None) -> None:
    """Cancel; when staff (`by`) cancel, the patient is told."""
    updated = Appointment.objects.filter(pk=appointment.pk).exclude(status__in=Appointment.INACTIVE)
    if not updated.update(status=Appointment.Status.CANCELLED, cancelled_at=timezone.now()):
        return
    appointment.refresh_from_db()
    appointment.reminders.filter(status=Reminder.Status.SCHEDULED).update(status=Reminder.Status.SKIPPED)
    sheets.queue_appointment_row(appointment=appointment, event="cancelled")
    if by is not None:
        _tell(appointment.patient, "appointment_cancelled", **_when(appointment, appointment.patient.language))


def reschedule_appointment(*, appointment: Appointment, starts_at: datetime, by=None) -> Appointment:
    """Move to another slot (same doctor) or raise SlotUnavailable; when staff move it, the patient is told."""
    check_bookable(
        doctor=appointment.doctor,
        starts_at=starts_at,
        source=Appointment.Source.STAFF if by is not None else Appointment.Source.WHATSAPP,
        patient=appointment.patient,
        exclude_pk=appointment.pk,
    )
    try:
        with transaction.atomic():
            appointment.starts_at = starts_at
            appointment.ends_at = starts_at + timedelta(minutes=appointment.doctor.slot_minutes)
            appointment.save(update_fields=["starts_at", "ends_at", "updated_at"])
    except IntegrityError as error:
        appointment.refresh_from_db()
        raise SlotUnavailable(_reason_from(error)) from error
    appointment.reminders.filter(status=Reminder.Status.SCHEDULED).delete()
    _schedule_appointment_reminder(appointment)
    sheets.queue_appointment_row(appointment=appointment, event="moved")
    if by is not None:
        _tell(appointment.patient, "appointment_moved", **_when(appointment, appointment.patient.language))
    return appointment


def set_appointment_status(*, appointment: Appointment, status: str) -> None:
    """Confirmed / completed / no-show from the desk (cancelling goes through cancel_appointment)."""
    Appointment.objects.filter(pk=appointment.pk).update(status=status, updated_at=timezone.now())
    appointment.refresh_from_db()
    sheets.queue_appointment_row(appointment=appointment, event=status)


# --- the walk-in queue ------------------------------------------------------------------
def join_queue(*, patient: Patient | None, source: str) -> QueueTicket:
    """Today's next number (or the patient's ticket already waiting). Desk walk-ins may have no patient."""
    day = timezone.localdate()
    with transaction.atomic():
        QueueDay.objects.bulk_create([QueueDay(day=day)], ignore_conflicts=True)
        counter = QueueDay.objects.select_for_update().get(day=day)  # one number at a time per day
        if patient is not None:
            existing = waiting_ticket(patient=patient)
            if existing is not None:
                return existing
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        ticket = QueueTicket.objects.create(day=day, number=counter.last_number, patient=patient, source=source)
        if queue_position(ticket=ticket).ahead <= clinic_settings().queue_alert_ahead:
            # Already near the front: the reply to joining says so; no separate alert.
            ticket.alert_sent_at = timezone.now()
            ticket.save(update_fields=["alert_sent_at"])
    return ticket


@transaction.atomic
def call_next(*, by) -> QueueTicket | None:
    """Close the ticket(s) being served, call the lowest waiting number, and alert those now near."""
    day, now = timezone.localdate(), timezone.now()
    QueueTicket.objects.filter(day=day, status=QueueTicket.Status.CALLED).update(
        status=QueueTicket.Status.SERVED, served_at=now
    )
    ticket = (
        QueueTicket.objects.select_for_update(skip_locked=True)
        .filter(day=day, status=QueueTicket.Status.WAITING)
        .order_by("number")
        .first()
    )
    if ticket is not None:
        ticket.status, ticket.called_at, ticket.called_by = QueueTicket.Status.CALLED, now, by
        ticket.save(update_fields=["status", "called_at", "called_by"])
        if ticket.patient is not None:
            _tell(ticket.patient, "queue_called", number=ticket.number)
    send_queue_alerts(day=day)
    return ticket


@transaction.atomic
def recall_ticket(*, ticket: QueueTicket, by) -> bool:
    """Call the number being served again; False when it was served or skipped meanwhile."""
    # The row lock makes a recall and a concurrent call_next (which serves this ticket) take turns.
    locked = QueueTicket.objects.select_for_update().filter(pk=ticket.pk, status=QueueTicket.Status.CALLED).first()
    if locked is None:
        return False
    before, now = locked.called_at, timezone.now()
    QueueTicket.objects.filter(pk=locked.pk).update(called_at=now, called_by=by)
    _log_queue_action(ticket=locked, by=by, changes={"called_at": [str(before), str(now)]})
    if locked.patient is not None:
        _tell(locked.patient, "queue_called", number=locked.number)
    return True


@transaction.atomic
def skip_ticket(*, ticket: QueueTicket, by) -> bool:
    """A no-show leaves the queue, waiting or called; False when it had already left."""
    left = QueueTicket.objects.filter(
        pk=ticket.pk, status__in=[QueueTicket.Status.WAITING, QueueTicket.Status.CALLED]
    ).first()
    # The conditional update is the claim: of two receptionists skipping at once, one changes the row.
    if left is None or not QueueTicket.objects.filter(pk=left.pk, status=left.status).update(
        status=QueueTicket.Status.SKIPPED
    ):
        return False
    _log_queue_action(ticket=left, by=by, changes={"status": [left.status, QueueTicket.Status.SKIPPED]})
    send_queue_alerts(day=left.day)
    return True


def _log_queue_action(*, ticket: QueueTicket, by, changes: dict) -> None:
    # update() bypasses auditlog's signals, so the desk's actions are written to the activity log here.
    LogEntry.objects.log_create(ticket, force_log=True, action=LogEntry.Action.UPDATE, changes=changes, actor=by)


def send_queue_alerts(*, day: date) -> int:
    """One alert per ticket once it is within `queue_alert_ahead` of the front; returns how many were sent."""
    limit = clinic_settings().queue_alert_ahead
    waiting = QueueTicket.objects.filter(day=day, status=QueueTicket.Status.WAITING).order_by("number")
    sent = 0
    for ahead, ticket in enumerate(waiting.select_related("patient")[: limit + 1]):
        if ticket.patient is None or ticket.alert_sent_at is not None:
            continue
        # Claim first: whoever flips alert_sent_at sends; everyone else sees 0 rows.
        if QueueTicket.objects.filter(pk=ticket.pk, alert_sent_at__isnull=True).update(alert_sent_at=timezone.now()):
            _tell(ticket.patient, "queue_near", number=ticket.number, ahead=ahead)
            sent += 1
    return sent


# --- reminders ------------------------------------------------------------------------
def reminder_send_at(*, due_on: date) -> datetime:
    """The day before `due_on` at the clinic's reminder hour, or now when that has passed."""
    hour = clinic_settings().reminder_hour
    send_at = datetime.combine(due_on - timedelta(days=1), time(hour), tzinfo=timezone.get_current_timezone())
    return max(send_at, timezone.now())


def _schedule_appointment_reminder(appointment: Appointment) -> Reminder | None:
    starts = timezone.localtime(appointment.starts_at)
    send_at = reminder_send_at(due_on=starts.date())
    if send_at >= appointment.starts_at - timedelta(hours=2):
        return None  # booked too close to the visit for a reminder to help
    return Reminder.objects.create(
        patient=appointment.patient,
        kind=Reminder.Kind.APPOINTMENT,
        appointment=appointment,
        due_on=starts.date(),
        send_at=send_at,
        language=appointment.patient.language,
    )


def schedule_reminder(*, patient: Patient, kind: str, due_on: date, note: str = "", by=None) -> Reminder:
    """A follow-up (覆診) or vaccination reminder set by staff; it goes out the day before `due_on`."""
    return Reminder.objects.create(
        patient=patient,
        kind=kind,
        due_on=due_on,
        send_at=reminder_send_at(due_on=due_on),
        note=note,
        language=patient.language,
        created_by=by,
    )


def send_due_reminders(*, limit: int = 500) -> int:
    """Send what is due, outside quiet hours; each reminder at most once. Returns how many were handed to WhatsApp.

    A reminder is claimed with a conditional update (scheduled → sending) in the same
    transaction that writes the outbound message: another worker or a second beat skips it,
    and a worker killed mid-way rolls both back, so nothing was sent and it stays scheduled.
    """
    now = timezone.now()
    if clinic_settings().in_quiet_hours(timezone.localtime(now).time()):
        return 0
    due = Reminder.objects.filter(status=Reminder.Status.SCHEDULED, send_at__lte=now).order_by("send_at")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            if not Reminder.objects.select_for_update(skip_locked=True).filter(pk=pk):
                continue  # another worker holds it right now
            if not Reminder.objects.filter(pk=pk, status=Reminder.Status.SCHEDULED).update(
                status=Reminder.Status.SENDING, claimed_at=now
            ):
                continue
            reminder = Reminder.objects.select_related("patient", "appointment__doctor").get(pk=pk)
            sent += _send_reminder(reminder)
    return sent


def _send_reminder(reminder: Reminder) -> int:
    patient = reminder.patient
    appointment = reminder.appointment
    if patient.opted_out or (
        appointment is not None and (not appointment.active or appointment.starts_at < timezone.now())
    ):
        reminder.status = Reminder.Status.SKIPPED
        reminder.save(update_fields=["status"])
        return 0
    language = reminder.language or patient.language
    if reminder.kind == Reminder.Kind.APPOINTMENT and appointment is not None:
        key, params = "appointment_reminder", _when(appointment, language)
    elif reminder.kind == Reminder.Kind.VACCINATION:
        key, params = "vaccination_reminder", {"note": reminder.note, "date": f"{reminder.due_on:%Y-%m-%d}"}
    else:
        key, params = "follow_up_reminder", {"date": f"{reminder.due_on:%Y-%m-%d}"}
    try:
        with transaction.atomic():
            message = _tell(patient, key, reminder=True, **params)
    except Exception as error:  # noqa: BLE001 - one bad reminder must not stop the others
        reminder.status, reminder.error = Reminder.Status.FAILED, f"{type(error).__name__}: {error}"[:200]
        reminder.save(update_fields=["status", "error"])
        return 0
    if message is None:  # messaging refused: the patient opted out meanwhile
        reminder.status = Reminder.Status.SKIPPED
        reminder.save(update_fields=["status"])
        return 0
    reminder.status, reminder.message_id, reminder.sent_at = Reminder.Status.SENT, message.pk, timezone.now()
    reminder.save(update_fields=["status", "message_id", "sent_at"])
    return 1
