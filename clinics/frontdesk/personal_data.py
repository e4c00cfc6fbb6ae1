"""What the front desk keeps about a patient, for privacy's export, correction and erasure."""

from django.utils import timezone

from clinics.frontdesk.models import Appointment, Patient, QueueTicket, Reminder, SheetRow
from clinics.frontdesk.sheets import patient_ref
from privacy.walker import Holding


def _when(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _patient(row: Patient) -> dict:
    return {
        "whatsapp_number": row.wa_id,
        "name": row.name,
        "language": row.language,
        "reminders_stopped_at": _when(row.opted_out_at),
        "first_contact": _when(row.created_at),
    }


def _appointment(row: Appointment) -> dict:
    return {
        "doctor": f"{row.doctor.name_en} {row.doctor.name_zh}",
        "starts_at": _when(row.starts_at),
        "ends_at": _when(row.ends_at),
        "status": row.status,
        "booked_via": row.source,
        "booked_at": _when(row.created_at),
        "cancelled_at": _when(row.cancelled_at),
    }


def _ticket(row: QueueTicket) -> dict:
    return {
        "day": row.day.isoformat(),
        "number": row.number,
        "status": row.status,
        "joined_via": row.source,
        "joined_at": _when(row.joined_at),
        "called_at": _when(row.called_at),
        "served_at": _when(row.served_at),
    }


def _reminder(row: Reminder) -> dict:
    return {
        "kind": row.kind,
        "visit_on": row.due_on.isoformat(),
        "send_at": _when(row.send_at),
        "note": row.note,
        "status": row.status,
        "sent_at": _when(row.sent_at),
    }


def _sheet_row(row: SheetRow) -> dict:
    return {"sheet": row.sheet, "values": row.values, "queued_at": _when(row.created_at)}


def _forget_patient(rows) -> None:
    # A ticket number stays in the day's count; only the link to the patient goes.
    rows.update(patient=None)


HOLDINGS = [
    Holding(
        model=Reminder,
        category="reminders",
        label={"en": "Reminders", "zh-Hant-HK": "提示訊息"},
        rows=lambda patient: Reminder.objects.filter(patient=patient),
        export=_reminder,
        dated_by="send_at",
    ),
    Holding(
        model=Appointment,
        category="appointments",
        label={"en": "Appointments", "zh-Hant-HK": "預約"},
        rows=lambda patient: Appointment.objects.filter(patient=patient).select_related("doctor"),
        export=_appointment,
        dated_by="starts_at",
    ),
    Holding(
        model=QueueTicket,
        category="queue",
        label={"en": "Queue numbers", "zh-Hant-HK": "排隊籌號"},
        rows=lambda patient: QueueTicket.objects.filter(patient=patient),
        export=_ticket,
        dated_by="joined_at",
        erase=_forget_patient,
    ),
    Holding(
        model=SheetRow,
        category="sheets_outbox",
        label={"en": "Rows waiting for the clinic's Google Sheet", "zh-Hant-HK": "等待寫入診所 Google 試算表的資料"},
        rows=lambda patient: SheetRow.objects.filter(patient_ref=patient_ref(patient)),
        export=_sheet_row,
    ),
    Holding(
        model=Patient,
        category="patient",
        label={"en": "Your details", "zh-Hant-HK": "你的個人資料"},
        rows=lambda patient: Patient.objects.filter(pk=patient.pk),
        export=_patient,
        correctable=("name", "language"),
        is_subject=True,
    ),
]

NO_PERSONAL_DATA = [
    "frontdesk.Doctor",
    "frontdesk.WorkingHours",
    "frontdesk.Closure",
    "frontdesk.FAQ",
    "frontdesk.ClinicSettings",
    "frontdesk.QueueDay",
]
