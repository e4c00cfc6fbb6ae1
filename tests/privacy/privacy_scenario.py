"""A patient who chatted, booked, sent an image and got a reminder, built with the apps' own models."""

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Appointment, Doctor, Patient, QueueTicket, Reminder
from messaging.models import Attachment, Conversation, Message, WebhookEvent
from smartclinic.crypto import encrypt

IMAGE = b"\x89PNG\r\n\x1a\n" + b"rash-photo-bytes" * 10


@pytest.fixture
def private_media(settings, tmp_path):
    """A media folder of the test's own: files outlive a rolled-back test transaction."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVACY_FILES_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def build_patient_story(clinic, *, wa_id: str, name: str, words: str) -> Patient:
    with tenant_context(clinic):
        patient = Patient.objects.create(wa_id=wa_id, name=name, language="en")
        doctor = Doctor.objects.get_or_create(name_en="Dr Wong", name_zh="黃醫生")[0]
        conversation = Conversation.objects.create(patient=patient, state={"flow": "book", "said": words})
        Message.objects.create(conversation=conversation, direction="in", kind="text", text=words,
                               wamid=f"wamid.{wa_id}.1", status="received",
                               payload={"from": wa_id, "text": {"body": words}})  # fmt: skip
        Message.objects.create(conversation=conversation, direction="out", kind="text",
                               text=f"Thank you {name}, booked.", status="sent")  # fmt: skip
        image = Message.objects.create(conversation=conversation, direction="in", kind="image",
                                       wamid=f"wamid.{wa_id}.2", status="received")  # fmt: skip
        relative = f"{clinic.schema_name}/attachments/{wa_id}-rash.jpg.enc"
        target = Path(settings.MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(encrypt(IMAGE + wa_id.encode()))
        Attachment.objects.create(message=image, media_id=f"media-{wa_id}", mime_type="image/jpeg", filename="rash.jpg",
                                  size=target.stat().st_size, path=relative, status="stored")  # fmt: skip
        WebhookEvent.objects.create(key=f"wamid.{wa_id}.3", kind="message", phone_number_id="1",
                                    payload={"message": {"from": wa_id, "text": {"body": words}},
                                             "contact": {"wa_id": wa_id, "profile": {"name": name}}})  # fmt: skip
        starts = timezone.make_aware(
            datetime.combine(date.today() + timedelta(days=3), time(9 + int(wa_id[-1]) % 8, 0))
        )
        appointment = Appointment.objects.create(patient=patient, doctor=doctor, starts_at=starts,
                                                 ends_at=starts + timedelta(minutes=15))  # fmt: skip
        Reminder.objects.create(patient=patient, kind="appointment", appointment=appointment,
                                due_on=starts.date(), send_at=starts - timedelta(days=1), status="sent",
                                note="bring your X-ray")  # fmt: skip
        QueueTicket.objects.create(day=date.today(), number=int(wa_id[-3:]), patient=patient, source="whatsapp")
        # An edit in the admin leaves the name and number in the activity log too.
        patient.name = name
        patient.save()
        return patient
