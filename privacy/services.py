"""Writes for PDPO requests: open, verify, extend, refuse, carry out, close.

Requests live in public; carrying one out enters the clinic's schema through privacy.erasure /
privacy.exports, which walk every app's personal_data.py.
"""

import logging
import re
from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module
from pathlib import Path

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tenants.utils import tenant_context

from clinics.models import Clinic
from privacy.models import (
    DisclosureLog,
    PrivacyEvent,
    PrivacyRequest,
    RefusalLogEntry,
    RefusalReason,
)
from privacy.selectors import current_policy
from privacy.texts import REFUSAL_REASONS, TEMPLATES, TEXTS, render, text_language
from smartclinic.crypto import decrypt, encrypt, keyed_hash

log = logging.getLogger(__name__)

EXPORT_SALT = "privacy.export"
EXPORT_KEEP_DAYS = 30


class PatientNotFound(LookupError):
    """No patient with that number in that clinic."""


def normalise_number(wa_id: str) -> str:
    """Digits only, with the country code: a bare 8-digit number is a Hong Kong one (WhatsApp ids carry 852)."""
    digits = re.sub(r"\D", "", wa_id or "")
    if len(digits) == 8:
        digits = f"852{digits}"
    if not 8 <= len(digits) <= 15:
        raise ValidationError(gettext("A WhatsApp number has 8 to 15 digits, with its country code (85291234567)."))
    return digits


def mask_number(wa_id: str) -> str:
    """85291234567 -> 8529****567: enough to recognise on a call, not enough to dial."""
    return f"{wa_id[:4]}****{wa_id[-3:]}"


def actor_name(user) -> str:
    return user.get_username() if user is not None else "system"


def _event(request: PrivacyRequest, action: str, *, actor: str, note: str = "", **data) -> PrivacyEvent:
    return PrivacyEvent.objects.create(request=request, action=action, actor=actor, note=note, data=data)


def _next_reference(prefix: str, model) -> tuple[int, str]:
    # Take the id first so the reference (PR-2026-000123) is readable and unique from the start.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
        pk = cursor.fetchone()[0]
    return pk, f"{prefix}-{timezone.localdate().year}-{pk:06d}"


@transaction.atomic
def create_request(
    *,
    clinic: Clinic,
    kind: str,
    wa_id: str,
    language: str,
    source: str = PrivacyRequest.Source.STAFF,
    details: str = "",
    received_on: date | None = None,
    fee_charged: Decimal = Decimal("0"),
    user=None,
    actor: str = "",
) -> PrivacyRequest:
    if kind not in PrivacyRequest.Kind.values:
        raise ValidationError(gettext("Unknown kind of request %(kind)s.") % {"kind": repr(kind)})
    number = normalise_number(wa_id)
    pk, reference = _next_reference("PR", PrivacyRequest)
    request = PrivacyRequest(
        pk=pk,
        reference=reference,
        clinic=clinic,
        clinic_slug=clinic.slug,
        kind=kind,
        source=source,
        wa_id=number,
        wa_id_masked=mask_number(number),
        wa_id_hash=keyed_hash(number),
        language=text_language(language),
        details=details,
        received_on=received_on or timezone.localdate(),
        fee_charged=fee_charged,
    )
    request.full_clean(exclude=["due_on", "reference", "wa_id_hash", "clinic_slug"])
    request.save()
    repeats = PrivacyRequest.objects.filter(clinic=clinic, wa_id_hash=request.wa_id_hash, kind=kind).exclude(pk=pk)
    _event(
        request,
        "received",
        actor=actor or actor_name(user),
        note=f"{request.get_kind_display()} via {request.get_source_display()}",
        due_on=request.due_on.isoformat(),
        earlier_similar_requests=repeats.count(),
    )
    log.info("privacy request %s received (%s, %s)", reference, kind, clinic.slug)
    return request


def open_request_from_whatsapp(
    *, clinic: Clinic, wa_id: str, kind: str, language: str, text: str = ""
) -> PrivacyRequest:
    """A patient asked on WhatsApp; the reply for them is `request_reply(request=...)`."""
    request = create_request(
        clinic=clinic,
        kind=kind,
        wa_id=wa_id,
        language=language,
        source=PrivacyRequest.Source.WHATSAPP,
        details=text,
        actor="whatsapp",
    )
    if kind == PrivacyRequest.Kind.OPT_OUT:
        # Same effect as STOP, at once: the number wrote to us itself, so identity is the number.
        verify_identity(request=request, method=PrivacyRequest.Verification.WHATSAPP_NUMBER_MATCH, actor="whatsapp")
        carry_out(request=request, actor="whatsapp")
    return request


def request_reply(*, request: PrivacyRequest) -> str:
    """What the patient is told on WhatsApp: the reference number and what happens next."""
    return render(
        TEXTS,
        f"request_received.{request.kind}",
        request.language,
        reference=request.reference,
        due_on=request.deadline.isoformat(),
    )


def collection_notice(*, language: str, clinic: Clinic | None = None) -> str:
    """The short notice before we collect anything (DPP1(3)), with the link to the policy.

    Bilingual: the patient's language first, then the other one, since we cannot yet be
    sure which one they read.
    """
    clinic = clinic or getattr(connection, "tenant", None)
    if isinstance(clinic, Clinic):
        link = f"https://{clinic.domains.filter(is_primary=True).values_list('domain', flat=True).first()}/privacy"
    else:
        clinic = None
        link = f"https://{settings.BASE_DOMAIN}/privacy"
    policy = current_policy()
    if policy is not None:
        link += f"?v={policy.version}"
    first = text_language(language)
    notices = []
    for lang in (first, "zh-Hant-HK" if first == "en" else "en"):
        if clinic is not None:
            name = clinic.name_for(lang)
        else:
            name = "The clinic" if lang == "en" else "診所"
        notices.append(render(TEXTS, "collection_notice", lang, clinic=name, link=link))
    return "\n\n".join(notices)


def _check_open(request: PrivacyRequest) -> None:
    if not request.is_open:
        raise ValidationError(
            gettext("%(reference)s is %(status)s: it can no longer change.")
            % {"reference": request.reference, "status": request.get_status_display()}
        )


@transaction.atomic
def verify_identity(*, request: PrivacyRequest, method: str, user=None, actor: str = "") -> PrivacyRequest:
    """Record how identity was confirmed: the number itself, or a staff check. Never a copy of an ID."""
    _check_open(request)
    if method not in PrivacyRequest.Verification.values:
        raise ValidationError(gettext("Unknown verification method %(method)s.") % {"method": repr(method)})
    request.verification_method = method
    request.verified_by = user
    request.verified_at = timezone.now()
    request.status = PrivacyRequest.Status.IN_PROGRESS
    request.save()
    _event(request, "identity_verified", actor=actor or actor_name(user), method=method)
    return request


@transaction.atomic
def start_verifying(*, request: PrivacyRequest, user=None) -> PrivacyRequest:
    _check_open(request)
    request.status = PrivacyRequest.Status.VERIFYING
    request.save(update_fields=["status"])
    _event(request, "verifying", actor=actor_name(user))
    return request


def _send_notice(request: PrivacyRequest, key: str, *, actor: str, **params) -> None:
    """Give the requester a notice on the clinic's WhatsApp number: free text inside the 24-hour window,
    else the approved template. Raises ValidationError when they have no chat with the clinic to send to.
    """
    if request.clinic is None or not request.wa_id:
        raise ValidationError(gettext("This request has no WhatsApp number to send the notice to."))
    from messaging.services import notify_patient  # messaging imports the clinic apps: import at call time

    notice = render(TEXTS, key, request.language, **params)
    name, order = TEMPLATES[key]
    # Template parameters may not hold line breaks or runs of spaces (Meta refuses them with 132000).
    parameters = [" ".join(str(params[field]).split()) for field in order]
    with tenant_context(request.clinic):
        try:
            patient = find_patient(clinic=request.clinic, wa_id=request.wa_id)
        except PatientNotFound as error:
            raise ValidationError(
                gettext(
                    "The requester has never written to %(clinic)s on WhatsApp, so the notice cannot go there: "
                    "untick sending on WhatsApp, give the notice another way and record the date."
                )
                % {"clinic": request.clinic}
            ) from error
        message = notify_patient(patient=patient, text=notice, template=name, parameters=parameters)
    _event(request, "notice_sent", actor=actor, note=f"{key} on WhatsApp", kind=message.kind)


@transaction.atomic
def extend_deadline(
    *,
    request: PrivacyRequest,
    reason: str,
    extended_due_on: date,
    notice_sent_on: date | None = None,
    send_on_whatsapp: bool = False,
    user=None,
) -> str:
    """s.19(2): tell the requestor before the 40 days run out, with the reason; returns the notice.

    With send_on_whatsapp the notice goes to the requester now; otherwise notice_sent_on records when
    it was given another way.
    """
    _check_open(request)
    notice_sent_on = timezone.localdate() if send_on_whatsapp else (notice_sent_on or timezone.localdate())
    if not reason.strip():
        raise ValidationError(gettext("Give the reason the request cannot be completed within 40 days."))
    if notice_sent_on > request.due_on:
        raise ValidationError(gettext("The extension notice must be sent before the 40 days run out (s.19(2))."))
    if extended_due_on <= request.due_on:
        raise ValidationError(gettext("The extended date must be after the original due date."))
    request.extension_reason = reason
    request.extension_notice_sent_on = notice_sent_on
    request.extended_due_on = extended_due_on
    request.save()
    notice = render(
        TEXTS,
        "extension_notice",
        request.language,
        reference=request.reference,
        reason=reason,
        extended_due_on=extended_due_on.isoformat(),
    )
    _event(request, "extended", actor=actor_name(user), note=notice, extended_due_on=extended_due_on.isoformat())
    if send_on_whatsapp:
        _send_notice(
            request,
            "extension_notice",
            actor=actor_name(user),
            reference=request.reference,
            reason=reason,
            extended_due_on=extended_due_on.isoformat(),
        )
    return notice


def _close(request: PrivacyRequest, *, status: str, outcome: str, actor: str) -> PrivacyRequest:
    """Closing keeps only the masked number and its keyed hash: enough to prove and to spot a repeat."""
    request.status = status
    request.outcome = outcome
    request.closed_at = timezone.now()
    request.responded_on = timezone.localdate()
    request.wa_id = ""
    request.save()
    _event(request, status, actor=actor, note=outcome)
    log.info("privacy request %s %s", request.reference, status)
    return request


@transaction.atomic
def refuse(
    *,
    request: PrivacyRequest,
    reason: str,
    particulars: str,
    send_on_whatsapp: bool = False,
    user=None,
    actor: str = "",
) -> RefusalLogEntry:
    """s.20 / s.24 refusal: a notice in the requestor's language (s.21) and a log book entry (s.27).

    With send_on_whatsapp the notice goes to the requester on the clinic's WhatsApp number now.
    """
    _check_open(request)
    if reason not in RefusalReason.values:
        raise ValidationError(gettext("Unknown refusal reason %(reason)s.") % {"reason": repr(reason)})
    if not particulars.strip():
        raise ValidationError(gettext("Give the particulars of the reasons: they go into the s.27 log book."))
    clinic_name = request.clinic.name_for(request.language) if request.clinic else request.clinic_slug
    params = {
        "reference": request.reference,
        "clinic": clinic_name,
        "received_on": request.received_on.isoformat(),
        "reason": REFUSAL_REASONS[reason][text_language(request.language)],
        "particulars": particulars,
    }
    notice = render(TEXTS, "refusal_notice", request.language, **params)
    actor = actor or actor_name(user)
    if send_on_whatsapp:  # before closing: closing forgets the number
        _send_notice(request, "refusal_notice", actor=actor, **params)
    entry = RefusalLogEntry.objects.create(
        request_reference=request.reference,
        clinic_slug=request.clinic_slug,
        clinic_name=str(request.clinic) if request.clinic else request.clinic_slug,
        kind=request.kind,
        requester_masked=request.wa_id_masked,
        reason=reason,
        particulars=particulars,
        notice_language=request.language,
        notice_text=notice,
        recorded_by=actor,
    )
    request.refusal_reason = reason
    _close(request, status=PrivacyRequest.Status.REFUSED, outcome=notice, actor=actor)
    return entry


@transaction.atomic
def withdraw(*, request: PrivacyRequest, user=None) -> PrivacyRequest:
    _check_open(request)
    return _close(
        request, status=PrivacyRequest.Status.WITHDRAWN, outcome="Withdrawn by the requestor.", actor=actor_name(user)
    )


def find_patient(*, clinic: Clinic, wa_id: str):
    """The patient with that number in that clinic (call inside the clinic's schema)."""
    from clinics.frontdesk.models import Patient

    patient = Patient.objects.filter(wa_id=normalise_number(wa_id)).first()
    if patient is None:
        raise PatientNotFound(f"No patient with that number at {clinic.slug}.")
    return patient


def _require_verified(request: PrivacyRequest) -> None:
    _check_open(request)
    if not request.verification_method:
        raise ValidationError(gettext("Verify the requestor's identity first (s.20(1)(a))."))


def carry_out(*, request: PrivacyRequest, user=None, actor: str = "") -> PrivacyRequest:
    """Access, erasure or opt-out, once identity is verified. Corrections go through apply_correction."""
    _require_verified(request)
    actor = actor or actor_name(user)
    if request.kind == PrivacyRequest.Kind.ACCESS:
        return _carry_out_access(request, actor)
    if request.kind == PrivacyRequest.Kind.ERASURE:
        return _carry_out_erasure(request, actor)
    if request.kind == PrivacyRequest.Kind.OPT_OUT:
        return _carry_out_opt_out(request, actor)
    raise ValidationError(gettext("A correction is applied with the new values (apply_correction)."))


def _export_path(request: PrivacyRequest) -> Path:
    return Path(settings.PRIVACY_FILES_ROOT) / "requests" / f"{request.reference}.zip.enc"


@transaction.atomic
def _carry_out_access(request: PrivacyRequest, actor: str) -> PrivacyRequest:
    from privacy.exports import patient_export

    export = patient_export(
        clinic=request.clinic, wa_id=request.wa_id, language=request.language, reference=request.reference
    )
    path = _export_path(request)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encrypt(export.zip_bytes))  # at rest, encrypted like media
    path.chmod(0o600)
    request.export_file = str(path)
    request.export_expires_on = timezone.localdate() + timedelta(days=EXPORT_KEEP_DAYS)
    _event(request, "export_made", actor=actor, counts=export.counts, files=export.file_count)
    return _close(
        request,
        status=PrivacyRequest.Status.COMPLETED,
        outcome=f"Copy of the data prepared ({sum(export.counts.values())} records, {export.file_count} files); "
        f"available to our staff through an expiring link until {request.export_expires_on}.",
        actor=actor,
    )


def export_bytes(*, request: PrivacyRequest) -> bytes:
    if not request.export_file or not Path(request.export_file).exists():
        raise FileNotFoundError(f"{request.reference} has no export file (expired or never made).")
    return decrypt(Path(request.export_file).read_bytes())


def export_link(*, request: PrivacyRequest) -> str:
    """A download path for our staff that stops working after PRIVACY_EXPORT_LINK_MAX_AGE seconds."""
    token = signing.TimestampSigner(salt=EXPORT_SALT).sign(str(request.pk))
    return reverse("privacy:export-download", kwargs={"token": token})


def request_for_export_token(token: str) -> PrivacyRequest:
    """Raises signing.BadSignature / SignatureExpired for a forged or old link."""
    pk = signing.TimestampSigner(salt=EXPORT_SALT).unsign(token, max_age=settings.PRIVACY_EXPORT_LINK_MAX_AGE)
    return PrivacyRequest.objects.get(pk=int(pk))


def record_download(*, request: PrivacyRequest, user) -> None:
    _event(request, "export_downloaded", actor=actor_name(user))
    if request.clinic_id:
        record_disclosure(
            clinic=request.clinic,
            wa_id_hash=request.wa_id_hash,
            recipient="the data subject (access request)",
            purpose=f"data access request {request.reference}",
            request=request,
        )


def record_disclosure(
    *, clinic: Clinic, recipient: str, purpose: str, wa_id: str = "", wa_id_hash: str = "", request=None
) -> DisclosureLog:
    """Anyone who hands a patient's data to someone outside the clinic records it here (s.23(1)(c))."""
    return DisclosureLog.objects.create(
        clinic=clinic,
        patient_hash=wa_id_hash or keyed_hash(normalise_number(wa_id)),
        recipient=recipient,
        purpose=purpose,
        request=request,
    )


@transaction.atomic
def _carry_out_erasure(request: PrivacyRequest, actor: str) -> PrivacyRequest:
    from privacy.erasure import erase_patient

    result = erase_patient(clinic=request.clinic, wa_id=request.wa_id)
    scrub_previous_requests(clinic=request.clinic, wa_id_hash=request.wa_id_hash, keep=request)
    request.details = ""
    _event(request, "erased", actor=actor, erased=result.erased, kept=result.kept_counts, held=result.legal_hold)
    return _close(request, status=PrivacyRequest.Status.COMPLETED, outcome=result.outcome(), actor=actor)


def scrub_previous_requests(*, clinic: Clinic, wa_id_hash: str, keep: PrivacyRequest | None = None) -> None:
    """After an erasure, earlier requests of that number keep no values and no export file."""
    for earlier in PrivacyRequest.objects.filter(clinic=clinic, wa_id_hash=wa_id_hash).exclude(
        pk=getattr(keep, "pk", None)
    ):
        if earlier.export_file:
            Path(earlier.export_file).unlink(missing_ok=True)
        PrivacyEvent.objects.filter(request=earlier).exclude(data={}).update(data={"scrubbed": "erasure"})
        PrivacyRequest.objects.filter(pk=earlier.pk).update(details="", export_file="")


def _opt_out(patient) -> None:
    try:
        from clinics.frontdesk.services import opt_out
    except ImportError:
        if patient.opted_out_at is None:
            patient.opted_out_at = timezone.now()
            patient.save(update_fields=["opted_out_at"])
        return
    opt_out(patient=patient)


@transaction.atomic
def _carry_out_opt_out(request: PrivacyRequest, actor: str) -> PrivacyRequest:
    with tenant_context(request.clinic):
        try:
            patient = find_patient(clinic=request.clinic, wa_id=request.wa_id)
        except PatientNotFound:
            outcome = "No patient with this number at the clinic: nothing to stop."
        else:
            _opt_out(patient)
            outcome = "Reminders stopped (same effect as STOP)."
    return _close(request, status=PrivacyRequest.Status.COMPLETED, outcome=outcome, actor=actor)


def _sheets_module():
    try:
        return import_module("clinics.frontdesk.sheets")
    except ModuleNotFoundError:
        return None


def _log_correction(patient, diff: dict, *, reference: str, actor: str) -> None:
    """The before/after in the clinic's activity log. Written directly: our staff are public users, and a
    signal-made entry would point its actor at the clinic's own user table."""
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=ContentType.objects.get_for_model(patient),
                object_pk=str(patient.pk),
                object_id=patient.pk,
                object_repr=str(patient),
                action=LogEntry.Action.UPDATE,
                changes=diff,
                changes_text="",
                additional_data={"privacy_request": reference, "by": actor},
                timestamp=timezone.now(),
            )
        ]
    )


def _mirror_enabled() -> bool:
    try:
        from clinics.frontdesk.selectors import clinic_settings
    except ImportError:
        return False
    return bool(clinic_settings().sheets_enabled)


@transaction.atomic
def apply_correction(*, request: PrivacyRequest, changes: dict[str, str], user=None, actor: str = "") -> dict:
    """s.23: correct the patient's data, pass the correction to every copy, list who received the data."""
    from privacy.walker import subject_holding

    _require_verified(request)
    if request.kind != PrivacyRequest.Kind.CORRECTION:
        raise ValidationError(gettext("Only a correction request changes data."))
    holding = subject_holding()
    unknown = set(changes) - set(holding.correctable)
    if unknown:
        raise ValidationError(
            gettext("These cannot be corrected here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    actor = actor or actor_name(user)
    # Signals off in the clinic's schema: a public user as actor would break its activity log's foreign key.
    with tenant_context(request.clinic), disable_auditlog():
        patient = find_patient(clinic=request.clinic, wa_id=request.wa_id)
        diff = {
            name: [getattr(patient, name), value] for name, value in changes.items() if getattr(patient, name) != value
        }
        for name, (_, value) in diff.items():
            setattr(patient, name, value)
        patient.full_clean()
        patient.save()
        if diff:
            _log_correction(patient, diff, reference=request.reference, actor=actor)
        mirrored = False
        sheets = _sheets_module()
        if "name" in diff and sheets is not None:
            # The mirror holds only the name (and a pseudonymous reference), so that is what it is sent.
            mirrored = sheets.correct_patient_rows(patient_ref=sheets.patient_ref(patient), name=patient.name) > 0
        mirror_enabled = _mirror_enabled()
    if mirror_enabled:
        record_disclosure(
            clinic=request.clinic,
            wa_id_hash=request.wa_id_hash,
            recipient="Google Sheets mirror (the clinic's spreadsheet)",
            purpose="appointment list kept by the clinic",
            request=request,
        )
    since = timezone.now() - timedelta(days=365)
    recipients = sorted(
        set(
            DisclosureLog.objects.filter(
                clinic=request.clinic, patient_hash=request.wa_id_hash, disclosed_at__gte=since
            ).values_list("recipient", flat=True)
        )
    )
    _event(request, "corrected", actor=actor, changes=diff, mirrored=mirrored, recipients_12_months=recipients)
    outcome = f"Corrected: {', '.join(diff) or 'nothing differed'}."
    if mirrored:
        outcome += " The Google Sheets mirror was corrected too."
    if recipients:
        outcome += (
            " Received the data in the previous 12 months (to be sent the correction, s.23(1)(c)): "
            f"{', '.join(recipients)}."
        )
    _close(request, status=PrivacyRequest.Status.COMPLETED, outcome=outcome, actor=actor)
    return diff
