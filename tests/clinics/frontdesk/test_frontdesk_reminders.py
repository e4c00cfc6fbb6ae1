from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from clinics.frontdesk import selectors, services, tasks
from clinics.frontdesk.models import Reminder
from clinics.models import Clinic
from messaging.models import Message
from tests.clinics.frontdesk.frontdesk_factories import DoctorFactory, PatientFactory, chatting_patient, working_day
from tests.concurrency import at_once


def _due_reminder(patient=None, **fields) -> Reminder:
    patient = patient or PatientFactory()
    return Reminder.objects.create(
        patient=patient,
        kind=fields.pop("kind", Reminder.Kind.FOLLOW_UP),
        due_on=fields.pop("due_on", timezone.localdate() + timedelta(days=1)),
        send_at=timezone.now() - timedelta(minutes=1),
        language=patient.language,
        **fields,
    )


def _outside_quiet_hours():
    """Quiet hours that never cover now, so the tests do not depend on the clock."""
    settings_row = selectors.clinic_settings()
    now = timezone.localtime()
    settings_row.quiet_hours_start = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    settings_row.quiet_hours_end = (now + timedelta(hours=3)).time().replace(second=0, microsecond=0)
    settings_row.save()


def test_a_due_reminder_is_sent_once_as_a_whatsapp_message(in_alpha):
    _outside_quiet_hours()
    reminder = _due_reminder()
    assert services.send_due_reminders() == 1
    assert services.send_due_reminders() == 0
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    message = Message.objects.get(pk=reminder.message_id)
    assert message.direction == "out"
    assert message.kind == "template"  # no open 24-hour window: the approved template


def test_an_opted_out_patient_gets_no_reminder(in_alpha):
    _outside_quiet_hours()
    patient = PatientFactory()
    services.opt_out(patient=patient)
    reminder = _due_reminder(patient)
    assert services.send_due_reminders() == 0
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SKIPPED
    assert not Message.objects.filter(conversation__patient=patient).exists()


def test_no_reminder_goes_out_in_quiet_hours(in_alpha):
    settings_row = selectors.clinic_settings()
    now = timezone.localtime()
    settings_row.quiet_hours_start = (now - timedelta(hours=1)).time()
    settings_row.quiet_hours_end = (now + timedelta(hours=1)).time()
    settings_row.save()
    reminder = _due_reminder()
    assert services.send_due_reminders() == 0
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SCHEDULED
    assert not Message.objects.exists()


def test_the_default_quiet_hours_are_ten_at_night_to_eight_in_the_morning(in_alpha):
    settings_row = selectors.clinic_settings()
    assert settings_row.in_quiet_hours(time(23, 30))
    assert settings_row.in_quiet_hours(time(7, 59))
    assert not settings_row.in_quiet_hours(time(8, 0))
    assert not settings_row.in_quiet_hours(time(18, 0))


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(in_alpha):
    _outside_quiet_hours()
    reminder = _due_reminder(status=Reminder.Status.SENDING, claimed_at=timezone.now())
    assert services.send_due_reminders() == 0
    assert not Message.objects.filter(conversation__patient=reminder.patient).exists()


def test_two_workers_at_once_send_a_reminder_once(committed_db):
    alpha = Clinic.objects.get(slug="alpha")
    connection.set_tenant(alpha)
    _outside_quiet_hours()
    reminders = [_due_reminder() for _ in range(5)]
    connection.set_schema_to_public()
    counts = at_once(alpha, services.send_due_reminders, threads=2)
    connection.set_tenant(alpha)
    assert sum(counts) == 5
    for reminder in reminders:
        assert Message.objects.filter(conversation__patient=reminder.patient).count() == 1


def test_a_reminder_for_a_cancelled_appointment_is_skipped(in_alpha):
    _outside_quiet_hours()
    day = working_day()
    start = datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())
    appointment = services.book_appointment(patient=PatientFactory(), doctor=DoctorFactory(), starts_at=start)
    reminder = appointment.reminders.get()
    services.cancel_appointment(appointment=appointment)
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.SCHEDULED, send_at=timezone.now())
    assert services.send_due_reminders() == 0
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SKIPPED


def test_staff_schedule_a_follow_up_for_the_day_before_at_the_reminder_hour(in_alpha):
    due_on = timezone.localdate() + timedelta(days=10)
    reminder = services.schedule_reminder(patient=PatientFactory(), kind=Reminder.Kind.FOLLOW_UP, due_on=due_on)
    expected = datetime.combine(due_on - timedelta(days=1), time(18), tzinfo=timezone.get_current_timezone())
    assert reminder.send_at == expected


def test_the_reminder_is_its_template_in_the_patients_language_even_inside_the_window(in_alpha):
    _outside_quiet_hours()
    patient = chatting_patient(language="zh-Hant-HK")  # window open, still business-initiated
    _due_reminder(patient)
    services.send_due_reminders()
    message = Message.objects.get(conversation__patient=patient)
    assert message.kind == Message.Kind.TEMPLATE
    assert message.payload["template"]["language"]["code"] == "zh_HK"


def test_the_dispatcher_queues_one_task_per_active_clinic(db, alpha, beta):
    assert tasks.dispatch_reminders.run() == 2


def test_beta_sees_none_of_alphas_reminders(in_alpha, beta):
    _due_reminder()
    connection.set_tenant(beta)
    assert Reminder.objects.count() == 0
    assert services.send_due_reminders() == 0
