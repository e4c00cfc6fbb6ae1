import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from clinics.frontdesk import sheets
from clinics.frontdesk.models import Patient
from clinics.frontdesk.selectors import clinic_settings
from privacy import services
from privacy.erasure import erase_patient
from privacy.models import DisclosureLog
from smartclinic.standins.sheets import SheetsStandIn
from tests.privacy.privacy_factories import make_patient, make_request, verified

SPREADSHEET = "1PrivacyMirrorSheet0123456789"


@pytest.fixture
def mirror(alpha, settings):
    with SheetsStandIn() as standin:
        standin.create_spreadsheet(SPREADSHEET, "Alpha Clinic")
        settings.SHEETS_BASE_URL = standin.url
        with tenant_context(alpha):
            row = clinic_settings()
            row.sheets_enabled, row.spreadsheet_id = True, SPREADSHEET
            row.save()
        yield standin


def _sheet_with(alpha, patient, name):
    with tenant_context(alpha):
        worksheet = sheets.client().open_by_key(SPREADSHEET).worksheet(sheets.APPOINTMENTS)
        worksheet.append_row(["2026-11-25 10:00", sheets.patient_ref(patient), name, "booked", "Dr Wong"])
        worksheet.append_row(["2026-11-25 11:00", "P999999", "Someone Else", "booked", "Dr Wong"])


def test_a_correction_is_applied_with_before_and_after_recorded(alpha, beta):
    make_patient(alpha, name="Chan Tai Mann")
    make_patient(beta, name="Chan Tai Mann")
    request = verified(make_request(alpha, kind="correction"))
    diff = services.apply_correction(request=request, changes={"name": "Chan Tai Man"}, actor="ops")
    assert diff == {"name": ["Chan Tai Mann", "Chan Tai Man"]}
    event = request.events.get(action="corrected")
    assert event.data["changes"] == {"name": ["Chan Tai Mann", "Chan Tai Man"]} and event.actor == "ops"
    with tenant_context(alpha):
        patient = Patient.objects.get()
        assert patient.name == "Chan Tai Man"
        entry = LogEntry.objects.get_for_object(patient).filter(action=LogEntry.Action.UPDATE).get()
        assert entry.changes_dict["name"] == ["Chan Tai Mann", "Chan Tai Man"]
    with tenant_context(beta):
        assert Patient.objects.get().name == "Chan Tai Mann"
    request.refresh_from_db()
    assert request.status == "completed" and request.wa_id == ""


def test_a_correction_reaches_the_sheets_mirror_and_names_it_as_a_recipient(alpha, mirror):
    patient = make_patient(alpha, name="Chan Tai Mann")
    _sheet_with(alpha, patient, "Chan Tai Mann")
    request = verified(make_request(alpha, kind="correction"))
    services.apply_correction(request=request, changes={"name": "Chan Tai Man"}, actor="ops")
    values = mirror.values(SPREADSHEET, "Appointments")
    assert values[0][2] == "Chan Tai Man" and values[1][2] == "Someone Else"
    request.refresh_from_db()
    assert "Google Sheets mirror" in request.outcome


def test_the_correction_lists_who_received_the_data_in_the_last_twelve_months(alpha):
    make_patient(alpha)
    services.record_disclosure(clinic=alpha, wa_id="85291234567", recipient="Dr Lee's clinic", purpose="referral")
    old = services.record_disclosure(clinic=alpha, wa_id="85291234567", recipient="Old insurer", purpose="claim")
    DisclosureLog.objects.filter(pk=old.pk).update(
        disclosed_at=old.disclosed_at.replace(year=old.disclosed_at.year - 2)
    )
    request = verified(make_request(alpha, kind="correction"))
    services.apply_correction(request=request, changes={"language": "en"}, actor="ops")
    request.refresh_from_db()
    assert "Dr Lee's clinic" in request.outcome and "Old insurer" not in request.outcome
    assert request.events.get(action="corrected").data["recipients_12_months"] == ["Dr Lee's clinic"]


def test_only_declared_fields_can_be_corrected(alpha):
    make_patient(alpha)
    request = verified(make_request(alpha, kind="correction"))
    with pytest.raises(ValidationError, match="wa_id"):
        services.apply_correction(request=request, changes={"wa_id": "85200000000"}, actor="ops")


def test_erasure_removes_the_patients_rows_from_the_mirror(alpha, mirror):
    patient = make_patient(alpha, name="Chan Tai Man")
    _sheet_with(alpha, patient, "Chan Tai Man")
    erase_patient(clinic=alpha, wa_id="85291234567")
    assert mirror.values(SPREADSHEET, "Appointments") == [["2026-11-25 11:00", "P999999", "Someone Else", "booked",
                                                           "Dr Wong"]]  # fmt: skip
