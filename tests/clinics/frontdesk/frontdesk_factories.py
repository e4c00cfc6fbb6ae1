"""factory_boy factories for the front desk (import as tests.clinics.frontdesk.frontdesk_factories)."""

from datetime import date, time, timedelta

import factory
import holidays

from clinics.frontdesk.models import Doctor, Patient, WorkingHours


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    wa_id = factory.Sequence(lambda n: f"8529{n:07d}")
    name = factory.Sequence(lambda n: f"Patient {n}")
    language = "en"


class DoctorFactory(factory.django.DjangoModelFactory):
    """Works every day 09:00-13:00 and 14:00-18:00 unless `hours` says otherwise."""

    class Meta:
        model = Doctor
        skip_postgeneration_save = True

    name_en = factory.Sequence(lambda n: f"Dr Chan {n}")
    name_zh = factory.Sequence(lambda n: f"陳醫生{n}")
    slot_minutes = 15

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        spans = extracted if extracted is not None else [(time(9), time(13)), (time(14), time(18))]
        for weekday in range(7):
            for start, end in spans:
                WorkingHours.objects.create(doctor=self, weekday=weekday, starts_at=start, ends_at=end)


def _hk_holidays(year: int):
    return holidays.HK(years=[year, year + 1], categories=holidays.HK.supported_categories)


def working_day(*, after_days: int = 7, weekday: int | None = None) -> date:
    """A future day that is not a Hong Kong holiday (optionally a given weekday)."""
    day = date.today() + timedelta(days=after_days)
    hk = _hk_holidays(day.year)
    while day in hk or (weekday is not None and day.weekday() != weekday):
        day += timedelta(days=1)
    return day


def next_holiday(*, after_days: int = 1) -> date:
    day = date.today() + timedelta(days=after_days)
    return min(d for d in _hk_holidays(day.year) if d >= day)


def chatting_patient(**fields) -> Patient:
    """A patient who wrote in the last hour, so the 24-hour window is open and notices go as free text."""
    from django.utils import timezone

    from messaging.models import Conversation

    patient = PatientFactory(**fields)
    Conversation.objects.create(patient=patient, last_inbound_at=timezone.now())
    return patient
