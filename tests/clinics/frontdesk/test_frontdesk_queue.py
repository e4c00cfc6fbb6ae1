from datetime import timedelta

from auditlog.models import LogEntry
from django.db import connection
from django.utils import timezone

from clinics.frontdesk import selectors, services
from clinics.frontdesk.models import QueueDay, QueueTicket
from clinics.models import Clinic
from messaging.models import Message
from tests.clinics.frontdesk.frontdesk_factories import PatientFactory, chatting_patient
from tests.concurrency import at_once


def test_numbers_start_at_one_each_day_and_go_up(in_alpha):
    QueueDay.objects.create(day=timezone.localdate() - timedelta(days=1), last_number=57)
    numbers = [services.join_queue(patient=None, source="desk").number for _ in range(3)]
    assert numbers == [1, 2, 3]


def test_a_patient_who_asks_again_keeps_their_number(in_alpha):
    patient = PatientFactory()
    first = services.join_queue(patient=patient, source="whatsapp")
    again = services.join_queue(patient=patient, source="whatsapp")
    assert again.pk == first.pk
    assert selectors.waiting_ticket(patient=patient) == first


def test_position_counts_waiting_tickets_ahead_with_ten_minutes_each_by_default(in_alpha):
    for _ in range(4):
        services.join_queue(patient=None, source="desk")
    mine = services.join_queue(patient=PatientFactory(), source="whatsapp")
    assert selectors.queue_position(ticket=mine) == selectors.QueuePosition(ahead=4, estimate_minutes=40)


def test_the_estimate_uses_todays_average_service_time(in_alpha):
    now = timezone.now()
    for number in (1, 2):
        QueueTicket.objects.create(
            day=timezone.localdate(),
            number=100 + number,
            status="served",
            called_at=now - timedelta(minutes=4),
            served_at=now,
        )
    services.join_queue(patient=None, source="desk")
    mine = services.join_queue(patient=None, source="desk")
    assert selectors.queue_position(ticket=mine).estimate_minutes == 4


def test_call_next_calls_the_lowest_number_and_closes_the_one_before(in_alpha, django_user_model):
    first = services.join_queue(patient=None, source="desk")
    second = services.join_queue(patient=chatting_patient(), source="whatsapp")
    assert services.call_next(by=None) == first
    called = services.call_next(by=None)
    assert called == second
    first.refresh_from_db()
    assert first.status == QueueTicket.Status.SERVED
    assert Message.objects.filter(conversation__patient=second.patient, text__contains="your turn").count() == 1


def test_call_next_with_nobody_waiting_returns_none(in_alpha):
    assert services.call_next(by=None) is None


def test_the_near_turn_alert_is_sent_once(in_alpha):
    settings_row = selectors.clinic_settings()
    settings_row.queue_alert_ahead = 2
    settings_row.save()
    for _ in range(3):
        services.join_queue(patient=None, source="desk")
    patient = chatting_patient()
    mine = services.join_queue(patient=patient, source="whatsapp")  # 3 ahead: no alert yet
    assert mine.alert_sent_at is None
    services.call_next(by=None)  # 2 ahead now: alert
    services.call_next(by=None)  # 1 ahead: no second alert
    services.send_queue_alerts(day=mine.day)
    alerts = Message.objects.filter(conversation__patient=patient, text__contains="coming up")
    assert alerts.count() == 1
    assert "2 before you" in alerts.get().text


def test_joining_already_near_the_front_sends_no_separate_alert(in_alpha):
    patient = chatting_patient()
    services.join_queue(patient=patient, source="whatsapp")
    services.call_next(by=None)
    assert not Message.objects.filter(conversation__patient=patient, text__contains="coming up").exists()


def test_recalling_the_number_being_served_tells_its_whatsapp_patient_again(in_alpha):
    ticket = services.join_queue(patient=chatting_patient(), source="whatsapp")
    services.call_next(by=None)
    assert services.recall_ticket(ticket=ticket, by=None) is True
    turns = Message.objects.filter(conversation__patient=ticket.patient, text__contains="your turn")
    assert turns.count() == 2


def test_a_number_already_served_is_not_recalled_and_its_patient_not_told(in_alpha):
    ticket = services.join_queue(patient=chatting_patient(), source="whatsapp")
    services.call_next(by=None)
    services.call_next(by=None)  # serves it
    assert services.recall_ticket(ticket=ticket, by=None) is False
    assert Message.objects.filter(conversation__patient=ticket.patient, text__contains="your turn").count() == 1


def test_a_skipped_waiting_number_is_passed_over_by_the_next_call(in_alpha):
    first = services.join_queue(patient=None, source="desk")
    second = services.join_queue(patient=None, source="desk")
    assert services.skip_ticket(ticket=first, by=None) is True
    assert services.call_next(by=None) == second
    first.refresh_from_db()
    assert first.status == QueueTicket.Status.SKIPPED


def test_skipping_the_called_number_clears_now_serving_without_marking_it_served(in_alpha):
    ticket = services.join_queue(patient=None, source="desk")
    services.call_next(by=None)
    services.skip_ticket(ticket=ticket, by=None)
    services.call_next(by=None)
    ticket.refresh_from_db()
    assert ticket.status == QueueTicket.Status.SKIPPED and ticket.served_at is None
    assert selectors.queue_board()["now_serving"] is None


def test_skip_and_recall_are_in_the_activity_log_with_the_staff_member(in_alpha, django_user_model):
    receptionist = django_user_model.objects.create_user(username="desk@alpha.test", is_staff=True)
    called = services.join_queue(patient=None, source="desk")
    waiting = services.join_queue(patient=None, source="desk")
    services.call_next(by=receptionist)
    services.recall_ticket(ticket=called, by=receptionist)
    services.skip_ticket(ticket=waiting, by=receptionist)
    recall = LogEntry.objects.get_for_object(called).filter(changes__has_key="called_at", actor=receptionist)
    skip = LogEntry.objects.get_for_object(waiting).get(actor=receptionist)
    assert recall.count() == 1
    assert skip.changes_dict == {"status": ["waiting", "skipped"]}


def test_two_receptionists_skipping_the_same_number_at_once_skip_it_once(committed_db):
    alpha = Clinic.objects.get(slug="alpha")
    connection.set_tenant(alpha)
    ticket = services.join_queue(patient=None, source="desk")
    connection.set_schema_to_public()
    results = at_once(alpha, lambda: services.skip_ticket(ticket=ticket, by=None), threads=4)
    assert sorted(results) == [False, False, False, True]


def test_concurrent_joins_get_distinct_numbers(committed_db):
    alpha = Clinic.objects.get(slug="alpha")
    tickets = at_once(alpha, lambda: services.join_queue(patient=None, source="desk"), threads=6)
    assert sorted(ticket.number for ticket in tickets) == [1, 2, 3, 4, 5, 6]


def test_beta_has_none_of_alphas_queue(in_alpha, beta):
    services.join_queue(patient=PatientFactory(), source="whatsapp")
    connection.set_tenant(beta)
    assert QueueTicket.objects.count() == 0
    assert selectors.queue_board()["waiting_count"] == 0
