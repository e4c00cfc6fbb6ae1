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

from clinics.models import Clinic
from clinics.services import create_clinic
from privacy import services
from privacy.models import ClinicExport, DeletionCertificate, PrivacyRequest, RefusalLogEntry
from privacy.retention import ensure_departure_exports, purge_due_clinics
from privacy.tasks import run_retention
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
