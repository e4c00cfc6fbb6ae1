"""Daily privacy work, all in public: deadline reminders for our staff, the retention purge."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from privacy.models import PrivacyRequest
from privacy.retention import ensure_departure_exports, expire_handover_exports, purge_due_clinics
from privacy.selectors import deadline_digest
from smartclinic.celery import PublicTask, app

log = logging.getLogger(__name__)


def _line(request: PrivacyRequest, today) -> str:
    days = (request.deadline_on - today).days
    when = f"{-days} days overdue" if days < 0 else f"{days} days left"
    return f"{request.reference} {request.clinic_slug} {request.get_kind_display()} due {request.deadline_on} ({when})"


@app.task(base=PublicTask)
def remind_privacy_deadlines() -> dict:
    """Tell our staff which requests are overdue or due within 7 days (s.19: 40 days)."""
    today = timezone.localdate()
    digest = deadline_digest(today=today)
    if not digest.overdue and not digest.due_soon:
        return {"overdue": 0, "due_soon": 0}
    lines = ["Overdue:"] + [_line(r, today) for r in digest.overdue] if digest.overdue else []
    if digest.due_soon:
        lines += ["Due within 7 days:"] + [_line(r, today) for r in digest.due_soon]
    body = "\n".join(lines)
    log.warning("privacy deadlines: %d overdue, %d due within 7 days", len(digest.overdue), len(digest.due_soon))
    send_mail(
        subject=f"[SmartClinic] PDPO requests: {len(digest.overdue)} overdue, {len(digest.due_soon)} due soon",
        message=body,
        from_email=None,
        recipient_list=[settings.PRIVACY_TEAM_EMAIL],
    )
    return {"overdue": len(digest.overdue), "due_soon": len(digest.due_soon)}


@app.task(base=PublicTask)
def run_retention() -> dict:
    """Export clinics that just left; delete those past their retention; drop expired access exports."""
    exports = ensure_departure_exports()
    plans, certificates = purge_due_clinics()
    expired = 0
    for request in PrivacyRequest.objects.exclude(export_file="").filter(export_expires_on__lt=timezone.localdate()):
        Path(request.export_file).unlink(missing_ok=True)
        PrivacyRequest.objects.filter(pk=request.pk).update(export_file="")
        expired += 1
    return {
        "exports": len(exports),
        "deleted": [c.number for c in certificates],
        "postponed": [plan.clinic_slug for plan in plans if plan.postponed],
        "expired_access_exports": expired,
        "expired_handover_exports": expire_handover_exports(),
    }
