from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from clinics.frontdesk import selectors, services
from clinics.frontdesk.models import Appointment, Closure, Doctor
from tests.clinics.frontdesk.frontdesk_factories import (
    DoctorFactory,
    PatientFactory,
    next_holiday,
    working_day,
)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_slots_follow_the_doctors_hours_and_slot_length(in_alpha):
    doctor = DoctorFactory(hours=[(time(9), time(10))], slot_minutes=20)
    day = working_day()
    assert selectors.available_slots(doctor=doctor, day=day) == [at(day, 9), at(day, 9, 20), at(day, 9, 40)]


def test_slots_are_in_hong_kong_time(in_alpha):
    doctor = DoctorFactory(hours=[(time(9), time(9, 15))])
    (slot,) = selectors.available_slots(doctor=doctor, day=working_day())
    assert slot.utcoffset() == timedelta(hours=8)


def test_no_slots_on_a_hong_kong_public_holiday(in_alpha):
    doctor = DoctorFactory()
    holiday = next_holiday()
    assert selectors.available_slots(doctor=doctor, day=holiday) == []
    assert holiday not in selectors.available_days(doctor=doctor, start=holiday - timedelta(days=1), days=3)


def test_no_slots_on_a_clinic_closure(in_alpha):
    doctor = DoctorFactory()
    day = working_day()
    Closure.objects.create(date=day, reason="Staff training")
    assert selectors.available_slots(doctor=doctor, day=day) == []
    assert day not in selectors.available_days(start=day - timedelta(days=1), days=3)


def test_a_booked_slot_is_not_offered_until_cancelled(in_alpha):
    doctor = DoctorFactory(hours=[(time(9), time(10))])
    day = working_day()
    appointment = services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(day, 9, 15))
    assert at(day, 9, 15) not in selectors.available_slots(doctor=doctor, day=day)
    services.cancel_appointment(appointment=appointment)
    assert at(day, 9, 15) in selectors.available_slots(doctor=doctor, day=day)


def test_no_slot_is_offered_in_the_past_or_inside_the_lead_time(in_alpha):
    doctor = DoctorFactory(hours=[(time(0), time(23, 45))])
    today = timezone.localdate()
    earliest = timezone.now() + timedelta(minutes=selectors.clinic_settings().booking_lead_minutes)
    slots = selectors.available_slots(doctor=doctor, day=today)
    assert all(slot >= earliest for slot in slots)
    assert selectors.available_slots(doctor=doctor, day=today - timedelta(days=1)) == []


def test_an_inactive_doctor_offers_no_slots(in_alpha):
    doctor = DoctorFactory(active=False)
    assert selectors.available_slots(doctor=doctor, day=working_day()) == []


def test_opening_hours_text_lists_every_day_in_both_languages(in_alpha):
    DoctorFactory(hours=[(time(9), time(13)), (time(14), time(18))])
    english = selectors.opening_hours_text("en")
    chinese = selectors.opening_hours_text("zh-Hant-HK")
    assert "Monday: 09:00–13:00, 14:00–18:00" in english
    assert "星期一：09:00–13:00、14:00–18:00" in chinese
    assert "public holidays" in english


def test_next_opening_is_a_session_start_or_now(in_alpha):
    DoctorFactory(hours=[(time(9), time(13))])
    opening = selectors.next_opening()
    assert opening is not None
    assert selectors.is_open_now() == (opening <= timezone.localtime())


def test_the_other_clinic_sees_none_of_alphas_doctors_or_appointments(in_alpha, beta):
    doctor = DoctorFactory()
    services.book_appointment(patient=PatientFactory(), doctor=doctor, starts_at=at(working_day(), 9))
    connection.set_tenant(beta)
    assert Doctor.objects.count() == 0
    assert Appointment.objects.count() == 0
