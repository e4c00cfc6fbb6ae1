from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clinics.frontdesk import selectors, services, sheets
from clinics.frontdesk.models import SheetRow
from messaging.models import Conversation, Message
from smartclinic.standins.sheets import SheetsStandIn
from tests.clinics.frontdesk.frontdesk_factories import DoctorFactory, PatientFactory, working_day

SPREADSHEET = "alpha-sheet-1"


@pytest.fixture
def stand_in(settings):
    server = SheetsStandIn().start()
    server.create_spreadsheet(SPREADSHEET)
    settings.SHEETS_BASE_URL = server.url
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    yield server
    server.stop()


@pytest.fixture
def mirrored(in_alpha, stand_in):
    settings_row = selectors.clinic_settings()
    settings_row.sheets_enabled, settings_row.spreadsheet_id = True, SPREADSHEET
    settings_row.save()
    return stand_in


def rows(server, title):
    return server.spreadsheets[SPREADSHEET].find(title=title).rows


def book(patient=None):
    start = datetime.combine(working_day(), time(10), tzinfo=timezone.get_current_timezone())
    return services.book_appointment(patient=patient or PatientFactory(), doctor=DoctorFactory(), starts_at=start)


def test_a_booking_reaches_the_sheet_after_a_429_is_retried(mirrored):
    appointment = book()
    mirrored.fail_next(1, status=429)
    assert sheets.flush() == 0
    pending = SheetRow.objects.get()
    assert pending.attempts == 1 and pending.next_attempt_at > timezone.now()
    assert sheets.flush() == 0  # backing off: not tried again yet
    SheetRow.objects.update(next_attempt_at=timezone.now())
    assert sheets.flush() == 1
    header, row = rows(mirrored, "Appointments")
    assert header[1] == "patient ref"
    assert row[1] == sheets.patient_ref(appointment.patient) and row[3] == "booked"
    assert not SheetRow.objects.exists()


def test_rows_carry_a_patient_reference_not_the_phone_number(mirrored):
    patient = PatientFactory(wa_id="85290001111")
    book(patient)
    sheets.flush()
    assert all("85290001111" not in cell for line in rows(mirrored, "Appointments") for cell in line)


def test_conversation_messages_are_mirrored_in_order(mirrored):
    patient = PatientFactory()
    conversation = Conversation.objects.create(patient=patient)
    for text in ("hello", "我想預約"):
        Message.objects.create(conversation=conversation, direction="in", text=text, status="received")
    assert sheets.flush() == 2
    assert [line[4] for line in rows(mirrored, "Messages")[1:]] == ["hello", "我想預約"]
    assert sheets.flush() == 0  # each message once


def test_erasure_removes_only_that_patients_rows(mirrored):
    gone, kept = book(), book()
    sheets.flush()
    removed = sheets.erase_patient_rows(patient_ref=sheets.patient_ref(gone.patient))
    assert removed == 1
    refs = [line[1] for line in rows(mirrored, "Appointments")[1:]]
    assert refs == [sheets.patient_ref(kept.patient)]


def test_correction_rewrites_the_name_in_the_sheet(mirrored):
    appointment = book(PatientFactory(name="Chan Tai Man"))
    sheets.flush()
    assert sheets.correct_patient_rows(patient_ref=sheets.patient_ref(appointment.patient), name="Chan Siu Ming") == 1
    assert rows(mirrored, "Appointments")[1][2] == "Chan Siu Ming"


def test_a_clinic_that_turned_the_mirror_off_sends_nothing(in_alpha, stand_in):
    book()
    assert not SheetRow.objects.exists()
    assert sheets.flush() == 0
    assert stand_in.requests == []


def test_beta_sees_none_of_alphas_pending_rows(mirrored, beta):
    book()
    connection.set_tenant(beta)
    assert not SheetRow.objects.exists()
    assert sheets.flush() == 0


def test_the_mirror_backs_off_longer_each_time(mirrored):
    book()
    for attempt in (1, 2, 3):
        mirrored.fail_next(1, status=429)
        SheetRow.objects.update(next_attempt_at=timezone.now())
        sheets.flush()
        row = SheetRow.objects.get()
        assert row.attempts == attempt
        assert row.next_attempt_at - timezone.now() > timedelta(seconds=30 * 2 ** (attempt - 1) - 5)


def test_clearing_the_mirror_empties_the_mirrored_sheets_and_counts_the_patient_rows(mirrored):
    book(PatientFactory(name="Chan Tai Man"))
    conversation = Conversation.objects.create(patient=PatientFactory())
    Message.objects.create(conversation=conversation, direction="in", text="hello", status="received")
    sheets.flush()
    book()  # still waiting in the outbox
    assert sheets.clear_mirror() == 2
    assert mirrored.values(SPREADSHEET, "Appointments") == [] and mirrored.values(SPREADSHEET, "Messages") == []
    assert not SheetRow.objects.exists()


def test_clearing_the_mirror_leaves_the_clinics_other_worksheets_alone(mirrored):
    mirrored.create_spreadsheet(SPREADSHEET, sheets=("Appointments", "Messages", "Clinic notes"))
    mirrored.spreadsheets[SPREADSHEET].find(title="Clinic notes").rows.append(["keep me"])
    book()
    sheets.flush()
    assert sheets.clear_mirror() == 1
    assert mirrored.values(SPREADSHEET, "Clinic notes") == [["keep me"]]


def test_clearing_the_mirror_of_a_clinic_without_a_spreadsheet_does_nothing(in_alpha, stand_in):
    assert sheets.clear_mirror() == 0
    assert stand_in.requests == []
