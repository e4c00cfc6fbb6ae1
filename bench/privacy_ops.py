"""Export and erasure time for one patient with 10,000 messages (a benchmark, not a test).

    d=$(mktemp -d) && SMARTCLINIC_DATA_DIR=$d .venv/bin/python bench/privacy_ops.py [--messages 10000]; rm -rf $d

A throw-away clinic holds the patient (half their messages in, half out, back-dated past every
retention floor so erasure removes them) next to 200 other patients with 20 messages each.
Times privacy.exports.patient_export and privacy.erasure.erase_patient. Never point it at a
database you care about.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartclinic.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from clinics.frontdesk.models import Patient  # noqa: E402
from clinics.services import create_clinic  # noqa: E402
from messaging.models import Conversation, Message  # noqa: E402
from privacy.erasure import erase_patient  # noqa: E402
from privacy.exports import patient_export  # noqa: E402

SUBJECT = "85290000001"


def load(clinic, messages: int, others: int) -> None:
    with tenant_context(clinic):
        patients = Patient.objects.bulk_create(
            [Patient(wa_id=SUBJECT, name="Chan Tai Man", language="en")]
            + [Patient(wa_id=f"8529100{n:04d}", name=f"Patient {n}") for n in range(others)]
        )
        conversations = Conversation.objects.bulk_create([Conversation(patient=p) for p in patients])
        rows = [
            Message(
                conversation=conversations[0],
                direction="in" if n % 2 == 0 else "out",
                kind="text",
                text=f"Message {n}: can I book Dr Wong for Tuesday afternoon? 我想預約星期二下晝",
                wamid=f"wamid.bench.subject.{n}",
                status="received" if n % 2 == 0 else "read",
            )
            for n in range(messages)
        ]
        rows += [
            Message(conversation=conversation, direction="in", kind="text", text=f"hello {n}", status="received")
            for conversation in conversations[1:]
            for n in range(20)
        ]
        Message.objects.bulk_create(rows, batch_size=5000)
        old = timezone.now() - timedelta(days=3 * 365)  # past any retention floor
        Message.objects.update(created_at=old)
        Conversation.objects.update(created_at=old)
        Patient.objects.update(created_at=old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    clinic = create_clinic(
        slug="benchprivacy",
        name_en="Bench Clinic",
        name_zh="測試診所",
        phone_number_id="999000222",
        display_phone="+852 3000 9998",
    ).clinic
    load(clinic, args.messages, args.others)

    started = time.perf_counter()
    export = patient_export(clinic=clinic, wa_id=SUBJECT, language="en", reference="BENCH-1")
    exported = time.perf_counter() - started
    print(f"privacy_export_{args.messages}_messages {exported:.2f} s")
    print(f"privacy_export_size {len(export.zip_bytes) / 1024:.0f} KiB")

    started = time.perf_counter()
    result = erase_patient(clinic=clinic, wa_id=SUBJECT)
    erased = time.perf_counter() - started
    print(f"privacy_erasure_{args.messages}_messages {erased:.2f} s")
    with tenant_context(clinic):
        left = Message.objects.filter(conversation__patient__wa_id=SUBJECT).count()
        others = Message.objects.count()
    print(f"# erasure outcome: {result.outcome()}", flush=True)
    print(f"# the subject's messages left: {left}; other patients' messages: {others}", flush=True)


if __name__ == "__main__":
    main()
