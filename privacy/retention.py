"""The 90-day deletion: a clinic that left is exported, then deleted once its retention has passed."""

import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from clinics.models import Clinic
from privacy.erasure import _redis
from privacy.exports import _tenant_models, clinic_export
from privacy.models import ClinicExport, DeletionCertificate, PrivacyRequest
from privacy.selectors import clinics_due_for_deletion, deletion_date, departed_clinics

log = logging.getLogger(__name__)


@dataclass
class PurgePlan:
    clinic_slug: str
    deletion_due_on: date
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    cache_keys: int = 0
    postponed: str = ""  # why this clinic was not deleted in this run (it is tried again the next day)

    def describe(self) -> str:
        rows = sum(self.counts.values())
        if self.postponed:
            return f"{self.clinic_slug}: due {self.deletion_due_on}; postponed: {self.postponed}"
        return (
            f"{self.clinic_slug}: due {self.deletion_due_on}; schema {self.clinic_slug} with {rows} rows "
            f"({', '.join(f'{k} {v}' for k, v in self.counts.items() if v) or 'none'}), "
            f"{self.media_files} media files, {self.cache_keys} cache keys"
        )


def _media_folder(clinic: Clinic) -> Path:
    return Path(settings.MEDIA_ROOT) / clinic.schema_name


def _cache_keys(clinic: Clinic) -> list[bytes]:
    return list(_redis().scan_iter(match=f"{clinic.schema_name}:*", count=1000))


def plan_purge(*, clinic: Clinic) -> PurgePlan:
    with tenant_context(clinic):
        counts = {model._meta.label: model.objects.count() for model in _tenant_models()}
    folder = _media_folder(clinic)
    media = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
    return PurgePlan(
        clinic_slug=clinic.slug,
        deletion_due_on=deletion_date(clinic),
        counts=counts,
        media_files=media,
        cache_keys=len(_cache_keys(clinic)),
    )


def ensure_departure_exports() -> list[ClinicExport]:
    """Every clinic that left gets its full export once (kept until the clinic is deleted)."""
    made = []
    for clinic in departed_clinics():
        if not ClinicExport.objects.filter(clinic=clinic).exists():
            made.append(clinic_export(clinic=clinic))
            log.info("departure export made for %s", clinic.slug)
    return made


def _next_certificate_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [DeletionCertificate._meta.db_table])
        pk = cursor.fetchone()[0]
    return pk, f"DC-{timezone.localdate().year}-{pk:06d}"


class PurgePostponed(Exception):
    """The mirror could not be cleared for a reason that may pass (Google busy or down): try again tomorrow."""


def purge_clinic(
    *, clinic: Clinic, performed_by: str = "retention job", today: date | None = None
) -> DeletionCertificate:
    """Delete the clinic's schema, media, cache keys and mirror; leave a certificate with counts only.

    The mirror is cleared first, while the schema still knows the spreadsheet. When Google is busy or down
    the whole deletion waits for the next run (PurgePostponed), so a copy is not left behind for good;
    after MIRROR_GRACE_DAYS past the due date the deletion goes ahead and the certificate says what stayed.
    """
    if clinic.legal_hold:
        raise ValueError(f"{clinic.slug} is under a legal hold: nothing may be deleted.")
    if clinic.status != Clinic.Status.LEFT:
        raise ValueError(f"{clinic.slug} has not left: only a departed clinic is deleted.")
    today = today or timezone.localdate()
    mirror = _clear_mirror(clinic)
    if isinstance(mirror, _Transient) and today <= deletion_date(clinic) + timedelta(days=MIRROR_GRACE_DAYS):
        raise PurgePostponed(f"mirror not cleared ({mirror}); tried again at the next run")
    handover = None
    if not ClinicExport.objects.filter(clinic=clinic).exists():
        # It never got its departure export (it left and came due between two runs, or the job was down):
        # make it now, before anything goes, and keep that file a while for handing over to the clinic.
        handover = clinic_export(clinic=clinic)
        log.info("departure export made for %s at deletion", clinic.slug)
    plan = plan_purge(clinic=clinic)
    deleted = [f"database schema {clinic.schema_name} ({sum(plan.counts.values())} rows)"]
    counts = dict(plan.counts)
    if isinstance(mirror, int):
        counts["Google Sheets mirror rows"] = mirror
        deleted.append(f"Google Sheets mirror ({mirror} rows)")
    else:
        deleted.append(f"mirror: not cleared ({mirror})")
    for request in PrivacyRequest.objects.filter(clinic=clinic, status__in=PrivacyRequest.OPEN_STATUSES):
        request.status, request.outcome, request.wa_id = (
            PrivacyRequest.Status.WITHDRAWN,
            "Closed: the clinic's data was deleted when it left SmartClinic.",
            "",
        )
        request.closed_at = timezone.now()
        request.save()
    if handover is not None:
        keep_until = timezone.localdate() + timedelta(days=_handover_days())
        deleted.append(f"departure export made at deletion, kept for the clinic until {keep_until} ({handover.sha256})")
    for export in ClinicExport.objects.filter(clinic=clinic, deleted_at__isnull=True).exclude(
        pk=getattr(handover, "pk", None)
    ):
        Path(export.path).unlink(missing_ok=True)
        export.deleted_at = timezone.now()
        export.save(update_fields=["deleted_at"])
        deleted.append(f"departure export file ({export.size_bytes} bytes)")
    for request in PrivacyRequest.objects.filter(clinic=clinic).exclude(export_file=""):
        Path(request.export_file).unlink(missing_ok=True)
        PrivacyRequest.objects.filter(pk=request.pk).update(export_file="")
    folder = _media_folder(clinic)
    if folder.exists():
        shutil.rmtree(folder)
    deleted.append(f"media folder ({plan.media_files} files)")
    keys = _cache_keys(clinic)
    if keys:
        _redis().delete(*keys)
    deleted.append(f"cache keys ({len(keys)})")
    pk, number = _next_certificate_number()
    with transaction.atomic():
        certificate = DeletionCertificate.objects.create(
            pk=pk,
            number=number,
            clinic_slug=clinic.slug,
            clinic_name=str(clinic),
            left_on=clinic.left_on,
            retention_days=clinic.retention_days,
            counts=counts,
            deleted=deleted,
            performed_by=performed_by,
        )
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction would block DROP SCHEMA.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        clinic.delete(force_drop=True)  # drops the schema; domains and numbers go with the row
    connection.set_schema_to_public()
    log.info("clinic %s deleted, certificate %s", certificate.clinic_slug, certificate.number)
    return certificate


def purge_due_clinics(*, today: date | None = None, dry_run: bool = False, performed_by: str = "retention job"):
    """Returns (plans, certificates): what would be / was deleted."""
    due = clinics_due_for_deletion(today=today)
    plans = [plan_purge(clinic=clinic) for clinic in due]
    if dry_run:
        return plans, []
    certificates = []
    for clinic, plan in zip(due, plans, strict=True):
        try:
            certificates.append(purge_clinic(clinic=clinic, performed_by=performed_by, today=today))
        except PurgePostponed as postponed:
            plan.postponed = str(postponed)
            log.warning("deletion of %s postponed: %s", clinic.slug, postponed)
    return plans, certificates


def _handover_days() -> int:
    return getattr(settings, "PRIVACY_DEPARTURE_EXPORT_KEEP_DAYS", 30)


# Google answers 429 or 5xx when busy; a few quick tries first, then the next daily run, for up to a week.
MIRROR_ATTEMPTS = 3
MIRROR_GRACE_DAYS = 7


class _Transient(str):
    """Why the mirror could not be cleared, when trying again later may work."""


def _clear_mirror(clinic: Clinic) -> int | str:
    """Rows cleared from the clinic's Google Sheets mirror, or why it could not be (no personal data in it).

    The spreadsheet belongs to the clinic: if it is gone (404) there is nothing left to clear; if the clinic
    took our access away (403) we cannot clear it and say so; if Google is busy or down the answer is a
    _Transient reason, after MIRROR_ATTEMPTS tries with a short back-off.
    """
    from gspread.exceptions import APIError, SpreadsheetNotFound
    from requests import RequestException

    from clinics.frontdesk import sheets

    delay = getattr(settings, "MIRROR_RETRY_SECONDS", 2.0)
    reason: str = ""
    for attempt in range(1, MIRROR_ATTEMPTS + 1):
        try:
            with tenant_context(clinic):
                return sheets.clear_mirror()
        except SpreadsheetNotFound:
            return 0  # the clinic deleted its spreadsheet: no copy left to clear
        except PermissionError:
            log.warning("no access to the Sheets mirror of %s any more", clinic.slug)
            return "Google Sheets error 403: the clinic took away our access to its spreadsheet"
        except APIError as error:
            if error.code == 404:
                return 0
            log.warning("could not clear the Sheets mirror of %s: %s", clinic.slug, error.code)
            if error.code != 429 and error.code < 500:
                return f"Google Sheets error {error.code}"
            reason = _Transient(f"Google Sheets error {error.code}")
        except RequestException as error:
            log.warning("could not reach Google Sheets for %s: %s", clinic.slug, type(error).__name__)
            reason = _Transient(f"Google Sheets unreachable ({type(error).__name__})")
        except Exception as error:  # noqa: BLE001 - any other failure is recorded, the purge goes on
            log.exception("could not clear the Sheets mirror of %s", clinic.slug)
            return f"{type(error).__name__}"
        if attempt < MIRROR_ATTEMPTS:
            time.sleep(delay * 2 ** (attempt - 1))
    return reason


def expire_handover_exports(*, today: date | None = None) -> int:
    """Delete departure export files made at deletion once their handover period has passed."""
    today = today or timezone.localdate()
    expired = 0
    for export in ClinicExport.objects.filter(clinic__isnull=True, deleted_at__isnull=True):
        if timezone.localdate(export.created_at) + timedelta(days=_handover_days()) < today:
            Path(export.path).unlink(missing_ok=True)
            export.deleted_at = timezone.now()
            export.save(update_fields=["deleted_at"])
            expired += 1
    return expired
