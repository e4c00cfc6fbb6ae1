"""Time the 90-day deletion of a clinic holding 100,000 messages (a benchmark, not a test).

    d=$(mktemp -d) && SMARTCLINIC_DATA_DIR=$d .venv/bin/python bench/purge.py [--messages 100000]; rm -rf $d

Never point it at a database you care about: it creates and deletes a throwaway clinic.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartclinic.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from clinics.frontdesk.models import Patient  # noqa: E402
from clinics.models import Clinic  # noqa: E402
from clinics.services import create_clinic  # noqa: E402
from messaging.models import Conversation, Message  # noqa: E402
from privacy.retention import purge_clinic  # noqa: E402

SLUG = "benchpurge"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--patients", type=int, default=2_000)
    args = parser.parse_args()
    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    old = Clinic.objects.filter(slug=SLUG).first()
    if old:
        old.delete(force_drop=True)
    clinic = create_clinic(slug=SLUG, name_en="Bench Clinic", name_zh="測試診所", phone_number_id="999000111",
                           display_phone="+852 3000 9999").clinic  # fmt: skip
    started = time.perf_counter()
    with tenant_context(clinic):
        patients = Patient.objects.bulk_create(
            [Patient(wa_id=f"8529{n:07d}", name=f"Patient {n}") for n in range(args.patients)]
        )
        conversations = Conversation.objects.bulk_create([Conversation(patient=p) for p in patients])
        batch = []
        for n in range(args.messages):
            batch.append(Message(conversation=conversations[n % len(conversations)], direction="in", kind="text",
                                 text=f"message number {n} about my appointment", status="received"))  # fmt: skip
            if len(batch) == 10_000:
                Message.objects.bulk_create(batch)
                batch = []
        Message.objects.bulk_create(batch)
        count = Message.objects.count()
    print(f"loaded {count} messages for {args.patients} patients in {time.perf_counter() - started:.1f} s")
    clinic.status, clinic.left_on = "left", timezone.localdate() - timedelta(days=clinic.retention_days + 1)
    clinic.save()
    started = time.perf_counter()
    certificate = purge_clinic(clinic=clinic, performed_by="bench")
    elapsed = time.perf_counter() - started
    print(f"purged {SLUG}: {certificate.counts.get('messaging.Message')} messages, certificate {certificate.number}, "
          f"{elapsed:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
