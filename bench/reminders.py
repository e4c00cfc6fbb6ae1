"""Reminders dispatched across many clinics against the Graph stand-in (a benchmark, not a test).

    d=$(mktemp -d) && SMARTCLINIC_DATA_DIR=$d .venv/bin/python bench/reminders.py [--clinics 100]; rm -rf $d

Each clinic has its own WhatsApp number and `--patients` follow-up reminders due now. Phase 1
runs each clinic's reminder task body (claim + write the outbound template message); phase 2
sends every queued message through messaging's real send path (rate limiter in Redis, Graph
client over HTTP) from a thread pool. Prints `name value unit` lines; the last is the achieved
per-number send rate as a ratio of WHATSAPP_RATE_PER_SECOND.
"""

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartclinic.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from clinics.frontdesk import selectors, services  # noqa: E402
from clinics.frontdesk.models import Patient, Reminder  # noqa: E402
from clinics.models import Clinic  # noqa: E402
from clinics.services import create_clinic  # noqa: E402
from messaging.models import Message  # noqa: E402
from messaging.services import send_queued  # noqa: E402
from smartclinic.celery import app  # noqa: E402
from smartclinic.standins.graph import GraphStandIn  # noqa: E402


def prepare(clinics: int, patients: int) -> list[Clinic]:
    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    made = []
    for n in range(clinics):
        slug = f"bench{n:03d}"
        clinic = (
            Clinic.objects.filter(slug=slug).first()
            or create_clinic(
                slug=slug,
                name_en=f"Bench {n}",
                name_zh=f"測試{n}",
                phone_number_id=f"7770000{n:05d}",
                display_phone=f"+852 3000 {n:04d}",
            ).clinic
        )
        with tenant_context(clinic):
            row = selectors.clinic_settings()
            row.quiet_hours_start = row.quiet_hours_end = row.quiet_hours_start  # no quiet hours for the run
            row.save()
            Message.objects.all().delete()
            Reminder.objects.all().delete()
            people = Patient.objects.bulk_create(
                [Patient(wa_id=f"8526{n:03d}{p:04d}", name=f"P{p}", language="en") for p in range(patients)],
                ignore_conflicts=True,
            )
            people = list(Patient.objects.all()[:patients])
            Reminder.objects.bulk_create(
                Reminder(
                    patient=patient,
                    kind=Reminder.Kind.FOLLOW_UP,
                    due_on=timezone.localdate() + timedelta(days=1),
                    send_at=timezone.now() - timedelta(minutes=1),
                    language="en",
                )
                for patient in people
            )
        made.append(clinic)
    return made


def send_one(schema: str, message_id: int) -> None:
    connection.set_schema(schema)
    while True:
        outcome = send_queued(message_id=message_id)
        if outcome.done:
            return
        time.sleep(outcome.retry_in or 0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clinics", type=int, default=100)
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    started = time.perf_counter()
    clinics = prepare(args.clinics, args.patients)
    print(f"reminders_setup_seconds {time.perf_counter() - started:.1f} s", flush=True)

    graph = GraphStandIn().start()
    settings.WHATSAPP_GRAPH_URL = graph.url
    try:
        started = time.perf_counter()
        dispatched = 0
        for clinic in clinics:
            with tenant_context(clinic):
                dispatched += services.send_due_reminders()
        dispatch_seconds = time.perf_counter() - started
        print(f"reminders_dispatched {dispatched} reminders", flush=True)
        print(f"reminders_dispatch_rate {dispatched / dispatch_seconds:.0f} reminders/s", flush=True)

        queued = []
        for clinic in clinics:
            with tenant_context(clinic):
                queued += [
                    (clinic.schema_name, pk)
                    for pk in Message.objects.filter(status="queued").values_list("pk", flat=True)
                ]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(lambda item: send_one(*item), queued))
        send_seconds = time.perf_counter() - started
        sent = len(graph.sent)
        rate = sent / send_seconds
        per_number = rate / len(clinics)
        print(f"reminders_sent {sent} messages", flush=True)
        print(f"reminders_send_rate {rate:.0f} messages/s", flush=True)
        print(f"reminders_per_number_rate {per_number:.2f} messages/s", flush=True)
        print(f"reminders_per_number_limit_ratio {per_number / settings.WHATSAPP_RATE_PER_SECOND:.3f}", flush=True)
    finally:
        graph.stop()
        app.control.purge()  # the send tasks queued on commit: the bench sent them itself


if __name__ == "__main__":
    main()
