from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Patient
from privacy import services
from privacy.models import PrivacyRequest, RefusalLogEntry
from privacy.selectors import deadline_digest, open_requests
from privacy.tasks import remind_privacy_deadlines
from smartclinic.crypto import keyed_hash
from tests.privacy.privacy_factories import make_patient, make_request, verified


def test_a_request_is_due_forty_days_after_it_was_received(alpha):
    request = make_request(alpha, received_on=date(2026, 3, 1))
    assert request.due_on == date(2026, 4, 10)
    assert request.reference.startswith(f"PR-{timezone.localdate().year}-")


def test_references_are_unique_and_readable(alpha):
    first, second = make_request(alpha), make_request(alpha)
    assert first.reference != second.reference
    assert len(first.reference) == len("PR-2026-000123")


def test_an_extension_needs_a_reason_and_moves_the_deadline(alpha):
    request = make_request(alpha, received_on=date(2026, 3, 1))
    notice = services.extend_deadline(
        request=request, reason="the records are archived", extended_due_on=date(2026, 4, 30),
        notice_sent_on=date(2026, 4, 5),
    )  # fmt: skip
    request.refresh_from_db()
    assert request.deadline == date(2026, 4, 30)
    assert "2026-04-30" in notice and "archived" in notice and "編號" in notice  # zh-Hant-HK requester


def test_an_extension_noticed_after_the_forty_days_is_refused(alpha):
    request = make_request(alpha, received_on=date(2026, 3, 1))
    with pytest.raises(ValidationError, match=r"s\.19\(2\)"):
        services.extend_deadline(
            request=request, reason="busy", extended_due_on=date(2026, 5, 1), notice_sent_on=date(2026, 4, 11)
        )


def test_a_correction_cannot_carry_a_fee(alpha):
    with pytest.raises(ValidationError, match="fee"):
        make_request(alpha, kind="correction", fee_charged=Decimal("50"))
    request = make_request(alpha, kind="correction")
    with pytest.raises(IntegrityError), transaction.atomic():
        PrivacyRequest.objects.filter(pk=request.pk).update(fee_charged=Decimal("50"))


def test_an_access_request_may_carry_a_fee(alpha):
    assert make_request(alpha, kind="access", fee_charged=Decimal("30")).fee_charged == Decimal("30")


def test_overdue_requests_come_first_then_the_nearest_deadline(alpha):
    today = timezone.localdate()
    later = make_request(alpha, received_on=today - timedelta(days=10))
    overdue = make_request(alpha, received_on=today - timedelta(days=45))
    soon = make_request(alpha, received_on=today - timedelta(days=35))
    assert list(open_requests()) == [overdue, soon, later]


def test_the_daily_reminder_names_overdue_and_due_within_seven_days(alpha, settings):
    today = timezone.localdate()
    overdue = make_request(alpha, received_on=today - timedelta(days=41))
    soon = make_request(alpha, received_on=today - timedelta(days=34))  # 6 days left
    make_request(alpha, received_on=today - timedelta(days=30))  # 10 days left: not yet
    digest = deadline_digest(today=today)
    assert digest.overdue == [overdue] and digest.due_soon == [soon]

    assert remind_privacy_deadlines.apply().get() == {"overdue": 1, "due_soon": 1}
    assert mail.outbox[0].to == [settings.PRIVACY_TEAM_EMAIL]
    assert overdue.reference in mail.outbox[0].body and soon.reference in mail.outbox[0].body
    assert "85291234567" not in mail.outbox[0].body


def test_the_reminder_beat_entry_is_daily():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["privacy-deadlines"]["task"] == "privacy.tasks.remind_privacy_deadlines"


def test_a_whatsapp_request_gets_a_reference_and_what_happens_next_in_both_languages(alpha):
    request = services.open_request_from_whatsapp(
        clinic=alpha, wa_id="85291234567", kind="access", language="zh-Hant-HK", text="我想攞返我啲資料"
    )
    assert request.source == "whatsapp" and request.status == "received"
    reply = services.request_reply(request=request)
    assert request.reference in reply and "40 日" in reply
    request.language = "en"
    assert "40 days" in services.request_reply(request=request)


def test_an_opt_out_request_stops_reminders_at_once_like_stop(alpha, beta):
    make_patient(alpha)
    make_patient(beta)
    request = services.open_request_from_whatsapp(clinic=alpha, wa_id="85291234567", kind="opt_out", language="en")
    assert request.status == "completed"
    with tenant_context(alpha):
        assert Patient.objects.get().opted_out_at is not None
    with tenant_context(beta):
        assert Patient.objects.get().opted_out_at is None


def test_a_closed_request_keeps_only_the_masked_number_and_its_hash(alpha):
    request = make_request(alpha, kind="opt_out")
    services.carry_out(request=verified(request), actor="test")
    stored = PrivacyRequest.objects.get(pk=request.pk)
    assert stored.wa_id == "" and stored.wa_id_masked == "8529****567"
    assert stored.wa_id_hash == keyed_hash("85291234567")


def test_nothing_is_carried_out_before_identity_is_verified(alpha):
    with pytest.raises(ValidationError, match="identity"):
        services.carry_out(request=make_request(alpha, kind="erasure"), actor="test")


def test_a_refusal_writes_the_log_book_and_a_notice_in_the_requesters_language(alpha):
    request = make_request(alpha, language="en")
    entry = services.refuse(request=request, reason="identity", particulars="The number did not match.", actor="ops")
    request.refresh_from_db()
    assert request.status == "refused" and request.outcome == entry.notice_text
    assert "s.20(1)(a)" in entry.notice_text and "pcpd.org.hk" in entry.notice_text
    assert entry.keep_until >= entry.recorded_on.replace(year=entry.recorded_on.year + 4)
    assert entry.requester_masked == "8529****567"
    chinese = services.refuse(request=make_request(alpha), reason="health", particulars="醫生評估。", actor="ops")
    assert "第59條" in chinese.notice_text
    assert RefusalLogEntry.objects.count() == 2


def test_the_requests_events_are_its_audit_trail(alpha):
    request = verified(make_request(alpha, kind="opt_out"))
    services.carry_out(request=request, actor="ops")
    assert list(request.events.values_list("action", flat=True)) == ["received", "identity_verified", "completed"]


def test_the_activity_log_never_holds_the_requesters_number(alpha):
    from auditlog.models import LogEntry

    make_request(alpha)
    assert LogEntry.objects.filter(changes_text__contains="85291234567").count() == 0
    assert not [e for e in LogEntry.objects.all() if "85291234567" in str(e.changes)]


def test_a_hong_kong_number_given_without_852_finds_the_same_patient(alpha):
    make_patient(alpha, wa_id="85291234567")
    request = make_request(alpha, wa_id="9123 4567")
    assert request.wa_id == "85291234567"
    with tenant_context(alpha):
        assert services.find_patient(clinic=alpha, wa_id="91234567").wa_id == "85291234567"
