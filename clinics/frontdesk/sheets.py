"""The clinic's Google Sheets mirror: appointments and conversation messages, appended in batches.

Rows wait in `SheetRow` (the outbox) and a periodic clinic task appends them with gspread;
on 429 (or a Google 5xx) they stay pending and the next try waits longer. Each row carries
a pseudonymous patient reference (`P000042`, the patient's id in this clinic) in column B,
never the phone number, so privacy can find, correct and erase a patient's rows.

Production uses the service account in GOOGLE_SERVICE_ACCOUNT_FILE; tests and `make run`
point SHEETS_BASE_URL at the local stand-in with a bearer token.
"""

from datetime import timedelta
from itertools import groupby

import gspread
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from google.oauth2.credentials import Credentials
from gspread.exceptions import APIError, WorksheetNotFound
from gspread.http_client import HTTPClient

from clinics.frontdesk.models import Patient, SheetRow

GOOGLE_SHEETS_URL = "https://sheets.googleapis.com"
APPOINTMENTS = "Appointments"
MESSAGES = "Messages"
HEADERS = {
    APPOINTMENTS: ["logged at", "patient ref", "patient name", "event", "doctor", "starts at", "status", "booked via"],
    MESSAGES: ["at", "patient ref", "direction", "kind", "text"],
}
NAME_COLUMN = 3  # Appointments: "patient name"
REF_COLUMN = 2
MAX_BACKOFF = timedelta(hours=1)


def patient_ref(patient: Patient | int) -> str:
    """How a patient appears in the sheet: their id in this clinic, not their phone number."""
    return f"P{getattr(patient, 'pk', patient):06d}"


class _RedirectingHTTPClient(HTTPClient):
    """gspread's client, sent to SHEETS_BASE_URL instead of Google when that is set (stand-in)."""

    def request(self, method, endpoint, *args, **kwargs):
        base = settings.SHEETS_BASE_URL.rstrip("/")
        if base != GOOGLE_SHEETS_URL and endpoint.startswith(GOOGLE_SHEETS_URL):
            endpoint = base + endpoint[len(GOOGLE_SHEETS_URL) :]
        return super().request(method, endpoint, *args, **kwargs)


def client() -> gspread.Client:
    if settings.GOOGLE_SERVICE_ACCOUNT_FILE:
        return gspread.service_account(
            filename=settings.GOOGLE_SERVICE_ACCOUNT_FILE, http_client=_RedirectingHTTPClient
        )
    return gspread.authorize(Credentials(token="local-stand-in"), http_client=_RedirectingHTTPClient)  # noqa: S106


def _settings():
    from clinics.frontdesk.selectors import clinic_settings

    return clinic_settings()


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# --- what goes into the outbox --------------------------------------------------------
def queue_appointment_row(*, appointment, event: str) -> None:
    if not _settings().sheets_enabled:
        return
    SheetRow.objects.create(
        sheet=APPOINTMENTS,
        patient_ref=patient_ref(appointment.patient_id),
        values=[
            _local(timezone.now()),
            patient_ref(appointment.patient_id),
            appointment.patient.name,
            event,
            appointment.doctor.name_en,
            _local(appointment.starts_at),
            appointment.status,
            appointment.source,
        ],
    )


def _collect_messages(clinic_settings, *, batch: int) -> None:
    """Copy conversation messages written since the last flush into the outbox."""
    from messaging.models import Message

    messages = list(
        Message.objects.filter(pk__gt=clinic_settings.sheets_messages_after_id)
        .select_related("conversation")
        .order_by("pk")[:batch]
    )
    if not messages:
        return
    SheetRow.objects.bulk_create(
        SheetRow(
            sheet=MESSAGES,
            patient_ref=patient_ref(message.conversation.patient_id),
            values=[
                _local(message.created_at),
                patient_ref(message.conversation.patient_id),
                message.direction,
                message.kind,
                message.text,
            ],
        )
        for message in messages
    )
    clinic_settings.sheets_messages_after_id = messages[-1].pk
    clinic_settings.save(update_fields=["sheets_messages_after_id"])


# --- flushing -------------------------------------------------------------------------
def _worksheet(spreadsheet, title: str):
    try:
        return spreadsheet.worksheet(title)
    except WorksheetNotFound:
        return spreadsheet.add_worksheet(title=title, rows=1000, cols=len(HEADERS[title]))


def flush(*, batch: int = 500) -> int:
    """Append pending rows (oldest first). Returns how many were appended; 429 leaves them pending, backed off."""
    clinic_settings = _settings()
    if not (clinic_settings.sheets_enabled and clinic_settings.spreadsheet_id):
        return 0
    appended = 0
    with transaction.atomic():
        _collect_messages(clinic_settings, batch=batch)
        now = timezone.now()
        # Rows stay locked while we talk to Google, so a second worker skips them instead of appending twice.
        rows = list(SheetRow.objects.select_for_update(skip_locked=True).filter(next_attempt_at__lte=now)[:batch])
        if not rows:
            return 0
        try:
            spreadsheet = client().open_by_key(clinic_settings.spreadsheet_id)
            ordered = sorted(rows, key=lambda row: (row.sheet, row.pk))
            for title, grouped in groupby(ordered, key=lambda row: row.sheet):
                group = list(grouped)
                worksheet = _worksheet(spreadsheet, title)
                values = [row.values for row in group]
                if not worksheet.row_values(1):
                    values.insert(0, HEADERS[title])
                worksheet.append_rows(values, value_input_option="RAW")
                SheetRow.objects.filter(pk__in=[row.pk for row in group]).delete()
                appended += len(group)
        except APIError as error:
            if error.code != 429 and error.code < 500:
                raise
            _back_off([row for row in rows if SheetRow.objects.filter(pk=row.pk).exists()], now)
    return appended


def _back_off(rows: list[SheetRow], now) -> None:
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + min(timedelta(seconds=30 * 2 ** (row.attempts - 1)), MAX_BACKOFF)
    SheetRow.objects.bulk_update(rows, ["attempts", "next_attempt_at"])


# --- for privacy: find, correct and erase a patient's rows ------------------------------
def _rows_of(worksheet, ref: str) -> list[int]:
    return [number for number, value in enumerate(worksheet.col_values(REF_COLUMN), 1) if value == ref]


def erase_patient_rows(*, patient_ref: str) -> int:
    """Delete the patient's rows, pending and in the sheet (even when the mirror is now off). Returns rows removed.

    Raises gspread's APIError when Google refuses (429 included): retry later.
    """
    removed, _ = SheetRow.objects.filter(patient_ref=patient_ref).delete()
    spreadsheet_id = _settings().spreadsheet_id
    if not spreadsheet_id:
        return removed
    for worksheet in client().open_by_key(spreadsheet_id).worksheets():
        for number in reversed(_rows_of(worksheet, patient_ref)):  # bottom up, so numbers stay valid
            worksheet.delete_rows(number)
            removed += 1
    return removed


def correct_patient_rows(*, patient_ref: str, name: str) -> int:
    """Rewrite the patient's name in their appointment rows, pending and in the sheet. Returns rows changed."""
    changed = 0
    for row in SheetRow.objects.filter(patient_ref=patient_ref, sheet=APPOINTMENTS):
        row.values[NAME_COLUMN - 1] = name
        row.save(update_fields=["values"])
        changed += 1
    spreadsheet_id = _settings().spreadsheet_id
    if not spreadsheet_id:
        return changed
    spreadsheet = client().open_by_key(spreadsheet_id)
    try:
        worksheet = spreadsheet.worksheet(APPOINTMENTS)
    except WorksheetNotFound:
        return changed
    numbers = _rows_of(worksheet, patient_ref)
    if numbers:
        worksheet.batch_update(
            [{"range": f"{gspread.utils.rowcol_to_a1(n, NAME_COLUMN)}", "values": [[name]]} for n in numbers],
            value_input_option="RAW",
        )
    return changed + len(numbers)


def clear_mirror() -> int:
    """Empty the mirrored worksheets (Appointments, Messages) of the clinic's spreadsheet; for the 90-day deletion.

    Runs inside the clinic's schema, whether or not the mirror is still switched on. Returns how many patient
    rows were in them (the header row aside); other worksheets of the clinic's spreadsheet are left alone.
    Raises gspread's APIError when Google refuses (429, 5xx, spreadsheet gone): the caller records it.
    """
    SheetRow.objects.all().delete()
    spreadsheet_id = _settings().spreadsheet_id
    if not spreadsheet_id:
        return 0
    spreadsheet = client().open_by_key(spreadsheet_id)
    cleared = 0
    for title in HEADERS:
        try:
            worksheet = spreadsheet.worksheet(title)
        except WorksheetNotFound:
            continue
        cleared += sum(1 for value in worksheet.col_values(REF_COLUMN) if value and value != HEADERS[title][1])
        worksheet.clear()
    return cleared
