"""Erasure that really erases: rows, media, activity-log values, cache keys and queued messages.

What a retention floor or a legal hold keeps stays, and the outcome says what and why.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from auditlog.context import disable_auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from clinics.models import Clinic
from privacy.selectors import retention_floors
from privacy.walker import holdings

# Names shorter than this are too common to hunt for in free text (the rows themselves still go).
MIN_NEEDLE = 3


@dataclass
class ErasureResult:
    patient_found: bool = True
    legal_hold: bool = False
    legal_hold_reason: str = ""
    erased: dict[str, int] = field(default_factory=dict)
    kept: list[tuple[str, int, str]] = field(default_factory=list)  # (category, rows, reason)
    files_deleted: int = 0
    log_entries_deleted: int = 0

    @property
    def kept_counts(self) -> dict[str, int]:
        return {category: count for category, count, _ in self.kept}

    def outcome(self) -> str:
        if not self.patient_found:
            return "No personal data of this number is held by the clinic."
        if self.legal_hold:
            return (
                "Nothing erased: the clinic's data is under a legal hold "
                f"({self.legal_hold_reason or 'no reason given'}). Everything is kept until the hold is lifted."
            )
        erased = ", ".join(f"{category} {count}" for category, count in self.erased.items() if count) or "nothing"
        text = f"Erased: {erased}; {self.files_deleted} media files; activity-log entries removed."
        if self.kept:
            text += " Kept: " + "; ".join(f"{category} {count} ({reason})" for category, count, reason in self.kept)
        return text


def erase_patient(*, clinic: Clinic, wa_id: str) -> ErasureResult:
    from privacy.services import PatientNotFound, find_patient

    result = ErasureResult()
    with tenant_context(clinic):
        try:
            patient = find_patient(clinic=clinic, wa_id=wa_id)
        except PatientNotFound:
            result.patient_found = False
            return result
        if clinic.legal_hold:
            result.legal_hold, result.legal_hold_reason = True, clinic.legal_hold_reason
            result.kept = [(h.category, h.rows(patient).count(), "legal hold") for h in holdings()]
            return result
        with transaction.atomic(), disable_auditlog():
            _erase(clinic, patient, result)
    return result


def _erase(clinic: Clinic, patient, result: ErasureResult) -> None:
    floors = retention_floors(clinic=clinic)
    needles = [patient.wa_id] + ([patient.name] if len(patient.name.strip()) >= MIN_NEEDLE else [])
    erased_rows: dict[int, list[str]] = {}
    files = []
    sheets = _sheets_module()
    if sheets is not None:
        # The mirror first: if Google refuses, the erasure fails whole and is retried, nothing half done.
        sheets.erase_patient_rows(patient_ref=sheets.patient_ref(patient))
    subject = None
    for holding in holdings():
        if holding.is_subject:
            subject = holding
            continue
        rows = holding.rows(patient)
        floor = floors.get(holding.floor or holding.category)
        if floor and holding.dated_by:
            since = timezone.now() - timedelta(days=floor.keep_days)
            kept = rows.filter(**{f"{holding.dated_by}__gte": since})
            if kept_count := kept.count():
                result.kept.append((holding.category, kept_count, f"kept {floor.keep_days} days: {floor.reason}"))
            rows = rows.exclude(pk__in=kept.values("pk"))
        pks = list(rows.values_list("pk", flat=True))
        for row in rows:
            needles.extend(_texts_of(holding, row))
            files.extend(f for f in holding.files(row) if f)
        erased_rows.setdefault(ContentType.objects.get_for_model(holding.model).pk, []).extend(str(pk) for pk in pks)
        if holding.erase is not None:
            holding.erase(holding.model.objects.filter(pk__in=pks))
        else:
            holding.model.objects.filter(pk__in=pks).delete()
        result.erased[holding.category] = result.erased.get(holding.category, 0) + len(pks)
    if result.kept:
        # The kept records must still say whose they are; the patient stays, with reminders stopped.
        from privacy.services import _opt_out

        _opt_out(patient)
        result.kept.append(("patient", 1, "identifies the records kept above"))
        needles = [n for n in needles if n not in (patient.wa_id, patient.name)]
    else:
        erased_rows.setdefault(ContentType.objects.get_for_model(subject.model).pk, []).append(str(patient.pk))
        subject.model.objects.filter(pk=patient.pk).delete()
        result.erased["patient"] = 1
    result.log_entries_deleted = _scrub_activity_logs(erased_rows, needles)
    result.files_deleted = len(files)
    schema = connection.schema_name
    transaction.on_commit(lambda: _after_commit(files, schema, needles))


def _texts_of(holding, row) -> list[str]:
    """Free text of an erased row (a message) is hunted for in the activity log and Redis too."""
    texts = []
    for name in ("text", "body", "caption"):
        value = getattr(row, name, None)
        if isinstance(value, str) and len(value.strip()) >= MIN_NEEDLE:
            texts.append(value)
    return texts


def _sheets_module():
    try:
        return import_module("clinics.frontdesk.sheets")
    except ModuleNotFoundError:
        return None


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _scrub_activity_logs(erased_rows: dict[int, list[str]], needles: list[str]) -> int:
    """django-auditlog and the admin's history keep copies of values: remove every entry about
    an erased row, and any other entry that still spells out the patient's number, name or words."""
    deleted = 0
    with connection.cursor() as cursor:
        for content_type_id, pks in erased_rows.items():
            for start in range(0, len(pks), 5000):
                chunk = pks[start : start + 5000]
                cursor.execute(
                    "DELETE FROM auditlog_logentry WHERE content_type_id = %s AND object_pk = ANY(%s)",
                    [content_type_id, chunk],
                )
                deleted += cursor.rowcount
                cursor.execute(
                    "DELETE FROM django_admin_log WHERE content_type_id = %s AND object_id = ANY(%s)",
                    [content_type_id, chunk],
                )
                deleted += cursor.rowcount
        for needle in {n for n in needles if n}:
            patterns = {_like(needle), _like(json.dumps(needle)[1:-1])}  # raw and \u-escaped
            for pattern in patterns:
                cursor.execute(
                    "DELETE FROM auditlog_logentry WHERE object_repr LIKE %s OR changes_text LIKE %s"
                    " OR changes::text LIKE %s OR serialized_data::text LIKE %s OR additional_data::text LIKE %s",
                    [pattern] * 5,
                )
                deleted += cursor.rowcount
                cursor.execute(
                    "DELETE FROM django_admin_log WHERE object_repr LIKE %s OR change_message LIKE %s",
                    [pattern] * 2,
                )
                deleted += cursor.rowcount
    return deleted


def _after_commit(files: list[str], schema: str, needles: list[str]) -> None:
    root = Path(settings.MEDIA_ROOT).resolve()
    for relative in files:
        target = (root / relative).resolve()
        if target.is_relative_to(root):  # never outside the media folder, whatever a row says
            target.unlink(missing_ok=True)
    scrub_redis(schema=schema, needles=needles)


def _redis():
    return cache._cache.get_client(None, write=True)


def scrub_redis(*, schema: str, needles: list[str]) -> int:
    """Cache entries of the clinic that mention the patient, and queued task messages that carry them."""
    encoded = [n.encode() for n in needles if n]
    if not encoded:
        return 0
    client = _redis()
    removed = 0
    for key in client.scan_iter(match=f"{schema}:*", count=1000):
        value = client.get(key) if client.type(key) == b"string" else b""
        if any(n in key or n in (value or b"") for n in encoded):
            removed += client.delete(key)
    for key in client.scan_iter(count=1000, _type="list"):
        for item in client.lrange(key, 0, -1):
            if any(n in _message_text(item) for n in encoded):
                removed += client.lrem(key, 0, item)
    return removed


def _message_text(item: bytes) -> bytes:
    """A kombu message with its body decoded, so a queued task's arguments can be searched."""
    try:
        message = json.loads(item)
        body = message.get("body", "")
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body).decode("utf-8", "replace")
        return item + json.dumps(body, ensure_ascii=False).encode() + str(body).encode()
    except (ValueError, AttributeError, TypeError):
        return item
