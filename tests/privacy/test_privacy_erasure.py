"""Erasure that really erases: the needle test, retention floors, legal hold, the commands."""

import base64
import json
import logging
import os
import subprocess
from pathlib import Path

import pgserver._commands
import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Appointment, Patient, QueueTicket, Reminder
from clinics.models import Clinic
from messaging.models import Attachment, Conversation, Message, WebhookEvent
from privacy import services
from privacy.erasure import erase_patient
from privacy.models import PrivacyRequest, RetentionFloor
from smartclinic.crypto import decrypt
from tests.privacy.privacy_factories import verified
from tests.privacy.privacy_scenario import (
    build_patient_story,
    private_media,  # noqa: F401
)

NUMBER, NAME, WORDS = "85298761234", "Kwok Needle-Wing", "my secret rash started after the durian party"

pytestmark = pytest.mark.usefixtures("private_media")


def _pg_dump() -> str:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = [str(pgserver._commands.POSTGRES_BIN_PATH / "pg_dump"), "-h", db["HOST"], "-U", db["USER"], db["NAME"]]
    if db.get("PORT"):
        command += ["-p", str(db["PORT"])]
    return subprocess.run(command, env=env, capture_output=True, check=True, text=True).stdout


def _media_texts() -> list[bytes]:
    found = []
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            try:
                data = decrypt(data)
            except Exception:  # noqa: BLE001 - not ours to decrypt: look at it as it is
                pass
            found.append(path.name.encode() + data)
    return found


def _counts(clinic) -> dict:
    with tenant_context(clinic):
        return {m._meta.label: m.objects.count() for m in (Patient, Appointment, Reminder, QueueTicket, Conversation,
                                                           Message, Attachment, WebhookEvent)}  # fmt: skip


@pytest.fixture
def committed_clinics(committed_db):
    # Not the `alpha` / `beta` fixtures: they bring `db`, whose transaction pg_dump could not see into.
    return Clinic.objects.get(slug="alpha"), Clinic.objects.get(slug="beta")


@pytest.fixture
def needle_story(committed_clinics):
    alpha, beta = committed_clinics
    patient = build_patient_story(alpha, wa_id=NUMBER, name=NAME, words=WORDS)
    build_patient_story(alpha, wa_id="85290000111", name="Other Alpha", words="other alpha patient words")
    build_patient_story(beta, wa_id="85290000222", name="Beta Patient", words="beta patient words")
    with tenant_context(alpha):
        from django.contrib.auth.models import User

        AdminLogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(Patient),
            object_id=str(patient.pk),
            object_repr=NAME,
            action_flag=CHANGE,
            change_message="[]",
            user=User.objects.get(username="manager@alpha.test"),
        )  # the clinic admin's own history of an edit
        cache.set(f"wa:pair:106540352242922:{NUMBER}:0", 3, 600)
        cache.set("unrelated:key", "kept", 600)
    kombu_body = base64.b64encode(json.dumps([[NUMBER], {}, {}]).encode()).decode()
    queued = json.dumps({"body": kombu_body, "properties": {"body_encoding": "base64"}})
    client = cache._cache.get_client(None, write=True)
    client.lpush("privacy-test-queue", queued, json.dumps({"body": "other", "properties": {}}))
    yield patient
    client.delete("privacy-test-queue")


def test_after_erasure_no_copy_of_the_number_name_or_words_survives(needle_story, committed_clinics, caplog):
    alpha, beta = committed_clinics
    caplog.set_level(logging.DEBUG)
    before_beta = _counts(beta)
    dump = _pg_dump()
    assert NUMBER in dump and NAME in dump and WORDS in dump  # the needles are really there first

    request = services.open_request_from_whatsapp(
        clinic=alpha, wa_id=NUMBER, kind="erasure", language="en", text=f"delete my data, I am {NAME}"
    )
    services.carry_out(request=verified(request), actor="ops")

    dump = _pg_dump()
    for needle in (NUMBER, NAME, WORDS):
        assert [line for line in dump.splitlines() if needle in line] == []
        assert not [m for m in _media_texts() if needle.encode() in m]
        assert needle not in caplog.text
    client = cache._cache.get_client(None, write=True)
    assert not [k for k in client.scan_iter(match="*") if NUMBER.encode() in k]
    assert client.llen("privacy-test-queue") == 1
    with tenant_context(alpha):
        assert cache.get("unrelated:key") == "kept"
    # The other patient of alpha and everyone at beta are untouched.
    assert "other alpha patient words" in dump and "beta patient words" in dump
    assert _counts(beta) == before_beta
    with tenant_context(alpha):
        other = Patient.objects.get(wa_id="85290000111")
        assert Message.objects.filter(conversation__patient=other).count() == 3
        assert Attachment.objects.filter(message__conversation__patient=other).count() == 1
        assert Appointment.objects.filter(patient=other).count() == 1
    request.refresh_from_db()
    assert request.status == "completed" and request.wa_id == "" and request.wa_id_masked == "8529****234"
    assert "Erased:" in request.outcome


def test_a_retention_floor_keeps_the_appointments_and_says_why(alpha, beta):
    build_patient_story(alpha, wa_id=NUMBER, name=NAME, words=WORDS)
    RetentionFloor.objects.create(clinic=alpha, category="appointments", keep_days=7 * 365,
                                  reason="medical records kept 7 years")  # fmt: skip
    result = erase_patient(clinic=alpha, wa_id=NUMBER)
    assert ("appointments", 1, "kept 2555 days: medical records kept 7 years") in result.kept
    assert "medical records kept 7 years" in result.outcome()
    with tenant_context(alpha):
        patient = Patient.objects.get(wa_id=NUMBER)
        assert patient.appointments.count() == 1 and patient.opted_out_at is not None
        assert not Message.objects.filter(conversation__patient=patient).exists()
        assert not Reminder.objects.filter(patient=patient).exists()


def test_a_legal_hold_keeps_everything_and_says_so(alpha):
    build_patient_story(alpha, wa_id=NUMBER, name=NAME, words=WORDS)
    alpha.legal_hold, alpha.legal_hold_reason = True, "court order HCA 123/2026"
    alpha.save()
    before = _counts(alpha)
    result = erase_patient(clinic=alpha, wa_id=NUMBER)
    assert result.legal_hold and "court order HCA 123/2026" in result.outcome()
    assert _counts(alpha) == before


def test_the_erase_command_creates_and_completes_a_request(alpha, beta):
    build_patient_story(alpha, wa_id=NUMBER, name=NAME, words=WORDS)
    build_patient_story(beta, wa_id=NUMBER, name=NAME, words=WORDS)
    call_command("privacy", "erase", "--clinic", "alpha", "--phone", f"+852 {NUMBER[3:7]} {NUMBER[7:]}", "--yes")
    request = PrivacyRequest.objects.get()
    assert request.kind == "erasure" and request.status == "completed" and request.source == "command"
    assert list(request.events.values_list("action", flat=True)) == ["received", "identity_verified", "erased",
                                                                     "completed"]  # fmt: skip
    with tenant_context(alpha):
        assert not Patient.objects.filter(wa_id=NUMBER).exists()
    with tenant_context(beta):
        assert Patient.objects.filter(wa_id=NUMBER).exists()


def test_the_export_command_writes_the_zip_and_completes_a_request(alpha, tmp_path):
    build_patient_story(alpha, wa_id=NUMBER, name=NAME, words=WORDS)
    out = tmp_path / "copy.zip"
    call_command("privacy", "export", "--clinic", "alpha", "--phone", NUMBER, "--out", str(out), "--language", "en")
    assert out.read_bytes().startswith(b"PK")
    assert PrivacyRequest.objects.get().status == "completed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["erase", "--clinic", "nosuch", "--phone", NUMBER, "--yes"], "Unknown clinic"),
        (["erase", "--clinic", "alpha", "--phone", "85291110000", "--yes"], "No patient"),
        (["export", "--clinic", "alpha", "--phone", "85291110000", "--out", "/tmp/x.zip"], "No patient"),
        (["erase", "--clinic", "alpha", "--phone", NUMBER], "--yes"),
    ],
)
def test_the_commands_say_clearly_what_is_wrong(alpha, args, message):
    build_patient_story(alpha, wa_id=NUMBER, name=NAME, words=WORDS)
    with pytest.raises(CommandError, match=message):
        call_command("privacy", *args)
    assert not PrivacyRequest.objects.exists()
