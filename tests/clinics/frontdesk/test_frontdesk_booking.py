from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clinics.frontdesk import selectors, services
from clinics.frontdesk.models import Appointment, Closure, Reminder
from clinics.frontdesk.services import SlotUnavailable
from clinics.models import Clinic
from tests.clinics.frontdesk.frontdesk_factories import DoctorFactory, PatientFactory, next_holiday, working_day
from tests.concurrency import at_once


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_booking_takes_the_doctors_slot_length_and_schedules_a_reminder_the_day_before(in_alpha):
    doctor = DoctorFactory(slot_minutes=20)
    day = working_day()
    appointment = services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(day, 10))
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=20)
    reminder = Reminder.objects.get(appointment=appointment)
    assert reminder.kind == Reminder.Kind.APPOINTMENT
    assert timezone.localtime(reminder.send_at) == at(
        day - timedelta(days=1), selectors.clinic_settings().reminder_hour
    )


def test_a_taken_slot_cannot_be_booked_again(in_alpha):
    doctor = DoctorFactory()
    day = working_day()
    services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(day, 10))
    with pytest.raises(SlotUnavailable) as raised:
        services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(day, 10))
    assert raised.value.reason == "taken"


def test_a_patient_cannot_hold_two_overlapping_appointments(in_alpha):
    patient = PatientFactory()
    day = working_day()
    services.book_appointment(patient=patient, doctor=DoctorFactory(), starts_at=at(day, 10))
    with pytest.raises(SlotUnavailable) as raised:
        services.book_appointment(patient=patient, doctor=DoctorFactory(), starts_at=at(day, 10))
    assert raised.value.reason == "patient_busy"


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        (lambda: at(working_day(), 13, 30), "outside_hours"),
        (lambda: at(next_holiday(), 10), "holiday"),
        (lambda: timezone.now() - timedelta(hours=1), "past"),
    ],
)
def test_booking_outside_the_bookable_times_says_why(in_alpha, when, reason):
    with pytest.raises(SlotUnavailable) as raised:
        services.book_appointment(patient=PatientFactory(), doctor=DoctorFactory(), starts_at=when())
    assert raised.value.reason == reason


def test_booking_on_a_closure_day_says_the_clinic_is_closed(in_alpha):
    day = working_day()
    Closure.objects.create(date=day)
    with pytest.raises(SlotUnavailable, match="closed"):
        services.book_appointment(patient=PatientFactory(), doctor=DoctorFactory(), starts_at=at(day, 10))


def test_the_database_refuses_a_double_booking_that_skips_the_python_checks(in_alpha):
    doctor = DoctorFactory()
    start = at(working_day(), 10)
    Appointment.objects.create(
        patient=PatientFactory(), doctor=doctor, starts_at=start, ends_at=start + timedelta(minutes=15)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            patient=PatientFactory(),
            doctor=doctor,
            starts_at=start + timedelta(minutes=5),
            ends_at=start + timedelta(minutes=20),
        )


def test_the_database_constraint_also_guards_the_second_clinic(beta):
    connection.set_tenant(beta)
    doctor = DoctorFactory()
    start = at(working_day(), 10)
    Appointment.objects.create(
        patient=PatientFactory(), doctor=doctor, starts_at=start, ends_at=start + timedelta(minutes=15)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            patient=PatientFactory(), doctor=doctor, starts_at=start, ends_at=start + timedelta(minutes=15)
        )


def test_a_cancelled_appointment_frees_the_slot_in_the_database_too(in_alpha):
    doctor = DoctorFactory()
    start = at(working_day(), 10)
    first = services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=start)
    services.cancel_appointment(appointment=first)
    second = services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=start)
    assert second.pk != first.pk
    assert first.reminders.get().status == Reminder.Status.SKIPPED


def test_rescheduling_moves_the_appointment_and_its_reminder(in_alpha):
    doctor = DoctorFactory()
    day = working_day()
    appointment = services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(day, 10))
    later = working_day(after_days=10)
    services.reschedule_appointment(appointment=appointment, starts_at=at(later, 11))
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at) == at(later, 11)
    assert [r.due_on for r in appointment.reminders.all()] == [later]


def test_rescheduling_into_a_taken_slot_keeps_the_old_time(in_alpha):
    doctor = DoctorFactory()
    day = working_day()
    services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(day, 11))
    appointment = services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(day, 10))
    with pytest.raises(SlotUnavailable):
        services.reschedule_appointment(appointment=appointment, starts_at=at(day, 11))
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at) == at(day, 10)


def test_two_concurrent_bookings_of_one_slot_make_exactly_one_appointment(committed_db):
    alpha = Clinic.objects.get(slug="alpha")
    connection.set_tenant(alpha)
    doctor = DoctorFactory()
    patients = [PatientFactory(), PatientFactory()]
    start = at(working_day(), 10)
    connection.set_schema_to_public()
    patients_left = list(patients)

    def book():
        try:
            services.book_appointment(patient=patients_left.pop(), doctor=doctor, starts_at=start)
            return "booked"
        except SlotUnavailable as error:
            return error.reason

    outcomes = at_once(alpha, book, threads=2)
    assert sorted(outcomes) == ["booked", "taken"]
    connection.set_tenant(alpha)
    assert Appointment.objects.filter(doctor=doctor).count() == 1
