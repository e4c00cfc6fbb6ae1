"""Reads for privacy: the current policy, deadlines, departed clinics."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinics.models import Clinic
from privacy.models import PolicyVersion, PrivacyRequest, RetentionFloor


def current_policy() -> PolicyVersion | None:
    """The version in force today (the newest whose effective date has come)."""
    return PolicyVersion.objects.filter(effective_on__lte=timezone.localdate()).order_by("-effective_on", "-id").first()


def open_requests() -> QuerySet[PrivacyRequest]:
    """Open requests, the one whose deadline comes first at the top (overdue ones lead)."""
    return (
        PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN_STATUSES)
        .annotate(deadline_on=Coalesce(F("extended_due_on"), F("due_on")))
        .order_by("deadline_on", "id")
    )


@dataclass(frozen=True)
class DeadlineDigest:
    overdue: list[PrivacyRequest]
    due_soon: list[PrivacyRequest]


def deadline_digest(*, today: date | None = None, within_days: int = 7) -> DeadlineDigest:
    today = today or timezone.localdate()
    due = list(open_requests().filter(deadline_on__lte=today + timedelta(days=within_days)))
    return DeadlineDigest(
        overdue=[r for r in due if r.deadline_on < today], due_soon=[r for r in due if r.deadline_on >= today]
    )


def retention_floors(*, clinic: Clinic) -> dict[str, RetentionFloor]:
    return {floor.category: floor for floor in RetentionFloor.objects.filter(clinic=clinic)}


def deletion_date(clinic: Clinic) -> date | None:
    return clinic.left_on + timedelta(days=clinic.retention_days) if clinic.left_on else None


def departed_clinics() -> QuerySet[Clinic]:
    return Clinic.objects.filter(status=Clinic.Status.LEFT).exclude(schema_name="public").order_by("left_on")


def clinics_due_for_deletion(*, today: date | None = None) -> list[Clinic]:
    """Left, past left_on + retention_days, and not under a legal hold."""
    today = today or timezone.localdate()
    return [c for c in departed_clinics().filter(legal_hold=False) if deletion_date(c) <= today]


def clinics_held(*, today: date | None = None) -> list[Clinic]:
    today = today or timezone.localdate()
    return [c for c in departed_clinics().filter(Q(legal_hold=True)) if deletion_date(c) <= today]
