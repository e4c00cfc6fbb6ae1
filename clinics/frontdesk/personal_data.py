"""What the front desk keeps about a patient, for privacy's export, correction and erasure."""

from clinics.frontdesk.models import Patient
from privacy.walker import Holding


def _patient(row: Patient) -> dict:
    return {
        "whatsapp_number": row.wa_id,
        "name": row.name,
        "language": row.language,
        "reminders_stopped_at": row.opted_out_at.isoformat() if row.opted_out_at else None,
        "first_contact": row.created_at.isoformat(),
    }


HOLDINGS = [
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
]
