"""The 90-day deletion, on throwaway clinics (never alpha or beta)."""

import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from clinics.frontdesk import sheets
from clinics.frontdesk.models import Appointment, ClinicSettings
from clinics.models import Clinic
from clinics.services import create_clinic
from privacy import services
from privacy.models import ClinicExport, DeletionCertificate, PrivacyRequest, RefusalLogEntry
from privacy.retention import ensure_departure_exports, expire_handover_exports, purge_due_clinics
from privacy.tasks import run_retention
from smartclinic.standins.sheets import SheetsStandIn
from tests.privacy.privacy_factories import make_request
from tests.privacy.privacy_scenario import (
    build_patient_story,
    private_media,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("private_media")


def _departed(slug, phone_number_id, *, days_ago=100, hold=False) -> Clinic:
    clinic = create_clinic(slug=slug, name_en=f"{slug.title()} Clinic", name_zh="測試診所",
                           phone_number_id=phone_number_id, display_phone="+852 3000 0000").clinic  # fmt: skip
    build_patient_story(clinic, wa_id="85291112222", name="Leaving Patient", words="leaving words")
    with tenant_context(clinic):
        cache.set("some:key", "cached", 600)
    clinic.status, clinic.left_on, clinic.legal_hold = "left", timezone.localdate() - timedelta(days=days_ago), hold
    clinic.save()
    return clinic


def test_a_clinic_past_its_retention_is_deleted_with_a_certificate(db):
    clinic = _departed("gone", "777000001")
    media = Path(settings.MEDIA_ROOT) / "gone"
    assert media.exists()
    _, certificates = purge_due_clinics()
    certificate = certificates[0]
    assert not schema_exists("gone") and not Clinic.objects.filter(slug="gone").exists()
    assert not media.exists()
    assert not list(cache._cache.get_client(None).scan_iter(match="gone:*"))
    assert certificate.clinic_slug == "gone" and certificate.counts["frontdesk.Patient"] == 1
    assert certificate.counts["messaging.Message"] == 3
    assert certificate.number.startswith("DC-")
    assert "85291112222" not in str(certificate.counts) + str(certificate.deleted)
    assert DeletionCertificate.objects.filter(clinic_slug="gone").exists()
    assert clinic.pk is not None


def test_a_clinic_under_legal_hold_is_not_deleted(db):
    _departed("held", "777000002", hold=True)
    plans, certificates = purge_due_clinics()
    assert plans == [] and certificates == []
    assert schema_exists("held")


def test_a_clinic_still_within_its_retention_is_not_deleted(db):
    _departed("recent", "777000003", days_ago=30)
    assert purge_due_clinics() == ([], [])
    assert schema_exists("recent")


def test_the_dry_run_prints_what_it_would_delete_and_deletes_nothing(db, capsys):
    _departed("dryrun", "777000004")
    call_command("purge_departed_clinics", "--dry-run")
    out = capsys.readouterr().out
    assert "Would delete dryrun" in out and "frontdesk.Patient 1" in out
    assert schema_exists("dryrun") and not DeletionCertificate.objects.exists()


def test_the_command_deletes_and_names_the_certificate(db, capsys):
    _departed("cmdgone", "777000005")
    _departed("cmdheld", "777000006", hold=True)
    call_command("purge_departed_clinics")
    out = capsys.readouterr().out
    assert "Deleted cmdgone" in out and "Certificate DC-" in out and "cmdheld: kept, legal hold" in out
    assert not schema_exists("cmdgone") and schema_exists("cmdheld")


def test_the_refusal_log_survives_the_clinics_deletion(db):
    clinic = _departed("refused", "777000007")
    services.refuse(request=make_request(clinic, language="en"), reason="identity", particulars="No match.", actor="o")
    purge_due_clinics()
    entry = RefusalLogEntry.objects.get(clinic_slug="refused")
    assert entry.reason == "identity" and "Refused Clinic" in entry.clinic_name
    request = PrivacyRequest.objects.get(clinic_slug="refused")
    assert request.clinic is None and request.wa_id_masked == "8529****567"


def test_a_departing_clinic_gets_its_full_export_once(db):
    _departed("exported", "777000008", days_ago=10)
    made = ensure_departure_exports()
    assert [e.clinic_slug for e in made] == ["exported"] and ensure_departure_exports() == []
    with zipfile.ZipFile(made[0].path) as archive:
        names = archive.namelist()
        assert "tables/frontdesk.Patient.json" in names and "tables/messaging.Message.json" in names
        assert any(name.startswith("media/attachments/") for name in names)
    assert made[0].counts["messaging.Attachment"] == 1


def test_the_daily_task_exports_then_deletes_and_drops_the_export_file(db):
    _departed("daily", "777000009")
    result = run_retention.apply().get()
    assert result["exports"] == 1 and len(result["deleted"]) == 1
    export = ClinicExport.objects.get(clinic_slug="daily")
    assert export.deleted_at is not None and not Path(export.path).exists()
    assert settings.CELERY_BEAT_SCHEDULE["privacy-retention"]["task"] == "privacy.tasks.run_retention"


@pytest.fixture
def sheets_stand_in(settings):
    server = SheetsStandIn().start()
    settings.SHEETS_BASE_URL = server.url
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    yield server
    server.stop()


def _mirrored(clinic, server) -> str:
    """The clinic's spreadsheet, holding its patient's appointment and messages as the mirror wrote them."""
    spreadsheet_id = server.create_spreadsheet(f"{clinic.slug}-sheet")
    with tenant_context(clinic):
        ClinicSettings.objects.update_or_create(defaults={"sheets_enabled": True, "spreadsheet_id": spreadsheet_id})
        sheets.queue_appointment_row(appointment=Appointment.objects.get(), event="booked")
        assert sheets.flush() == 4
    assert len(server.values(spreadsheet_id, "Messages")) == 4  # header + 3 messages
    return spreadsheet_id


def test_the_purge_clears_the_clinics_sheets_mirror_and_counts_it(db, sheets_stand_in):
    clinic = _departed("mirrorgone", "777000010")
    spreadsheet_id = _mirrored(clinic, sheets_stand_in)
    _, [certificate] = purge_due_clinics()
    assert sheets_stand_in.values(spreadsheet_id, "Appointments") == []
    assert sheets_stand_in.values(spreadsheet_id, "Messages") == []
    assert certificate.counts["Google Sheets mirror rows"] == 4
    assert "Google Sheets mirror (4 rows)" in certificate.deleted
    assert not schema_exists("mirrorgone")


@pytest.fixture
def no_mirror_back_off(settings):
    settings.MIRROR_RETRY_SECONDS = 0


@pytest.mark.parametrize("status", [429, 500])
def test_a_passing_sheets_error_is_retried_and_the_mirror_is_cleared(db, sheets_stand_in, no_mirror_back_off, status):
    clinic = _departed("mirrorblip", "777000011")
    spreadsheet_id = _mirrored(clinic, sheets_stand_in)
    sheets_stand_in.fail_next(2, status=status)
    _, [certificate] = purge_due_clinics()
    assert sheets_stand_in.values(spreadsheet_id, "Messages") == []
    assert certificate.counts["Google Sheets mirror rows"] == 4
    assert not schema_exists("mirrorblip")


def test_while_google_stays_down_the_deletion_waits_for_the_next_run(db, sheets_stand_in, no_mirror_back_off):
    clinic = _departed("mirrordown", "777000014", days_ago=92)
    spreadsheet_id = _mirrored(clinic, sheets_stand_in)
    sheets_stand_in.fail_next(3, status=503)
    [plan], certificates = purge_due_clinics()
    assert certificates == [] and "Google Sheets error 503" in plan.postponed
    assert schema_exists("mirrordown") and Clinic.objects.filter(slug="mirrordown").exists()
    assert len(sheets_stand_in.values(spreadsheet_id, "Messages")) == 4

    _, [certificate] = purge_due_clinics()  # the next day's run, Google back
    assert sheets_stand_in.values(spreadsheet_id, "Messages") == []
    assert certificate.counts["Google Sheets mirror rows"] == 4 and not schema_exists("mirrordown")


def test_a_week_past_due_the_deletion_goes_ahead_and_the_certificate_says_the_mirror_stayed(
    db, sheets_stand_in, no_mirror_back_off
):
    clinic = _departed("mirrorlate", "777000015", days_ago=98)  # due 8 days ago
    spreadsheet_id = _mirrored(clinic, sheets_stand_in)
    sheets_stand_in.fail_next(3, status=500)
    _, [certificate] = purge_due_clinics()
    assert not schema_exists("mirrorlate") and not Clinic.objects.filter(slug="mirrorlate").exists()
    assert "mirror: not cleared (Google Sheets error 500)" in certificate.deleted
    assert "Google Sheets mirror rows" not in certificate.counts
    assert len(sheets_stand_in.values(spreadsheet_id, "Messages")) == 4  # still there, and the certificate says so
    assert "Leaving Patient" not in str(certificate.deleted) + str(certificate.counts)


def test_a_spreadsheet_the_clinic_took_back_does_not_hold_up_the_deletion(db, sheets_stand_in, no_mirror_back_off):
    clinic = _departed("mirrorlocked", "777000016")
    _mirrored(clinic, sheets_stand_in)
    sheets_stand_in.fail_next(1, status=403)
    _, [certificate] = purge_due_clinics()
    assert not schema_exists("mirrorlocked")
    assert any("not cleared (Google Sheets error 403" in line for line in certificate.deleted)


def test_a_spreadsheet_the_clinic_deleted_leaves_nothing_to_clear(db, sheets_stand_in, no_mirror_back_off):
    clinic = _departed("mirrordeleted", "777000017")
    _mirrored(clinic, sheets_stand_in)
    sheets_stand_in.fail_next(1, status=404)
    _, [certificate] = purge_due_clinics()
    assert not schema_exists("mirrordeleted")
    assert certificate.counts["Google Sheets mirror rows"] == 0


def test_the_command_says_which_deletion_waits_and_why(db, sheets_stand_in, no_mirror_back_off, capsys):
    clinic = _departed("mirrorwait", "777000018", days_ago=92)
    _mirrored(clinic, sheets_stand_in)
    sheets_stand_in.fail_next(3, status=503)
    call_command("purge_departed_clinics")
    out = capsys.readouterr().out
    assert "Not deleted yet mirrorwait" in out and "Google Sheets error 503" in out
    assert schema_exists("mirrorwait")


def test_a_clinic_that_never_got_its_departure_export_gets_it_before_it_is_deleted(db):
    _departed("noexport", "777000012")
    assert not ClinicExport.objects.filter(clinic_slug="noexport").exists()
    _, [certificate] = purge_due_clinics()
    export = ClinicExport.objects.get(clinic_slug="noexport")
    assert export.deleted_at is None and Path(export.path).is_file()
    with zipfile.ZipFile(export.path) as archive:
        assert "tables/frontdesk.Patient.json" in archive.namelist()
    assert export.counts["frontdesk.Patient"] == 1
    assert any(export.sha256 in line for line in certificate.deleted)
    assert not schema_exists("noexport") and not Clinic.objects.filter(slug="noexport").exists()


def test_the_export_made_at_deletion_goes_once_its_handover_period_has_passed(db):
    _departed("handover", "777000013")
    purge_due_clinics()
    export = ClinicExport.objects.get(clinic_slug="handover")
    assert expire_handover_exports() == 0 and Path(export.path).is_file()
    assert expire_handover_exports(today=timezone.localdate() + timedelta(days=31)) == 1
    export.refresh_from_db()
    assert export.deleted_at is not None and not Path(export.path).exists()
