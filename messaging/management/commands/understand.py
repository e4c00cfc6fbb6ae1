"""Read patient messages from stdin, one per line, and print one JSON reading per line."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from messaging.assistant.engine import ClinicContext, clinic_context, understand


class Command(BaseCommand):
    help = "Print the assistant's reading (intent, language, date, time, ...) of each stdin line as JSON."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--clinic", help="Slug of the clinic whose doctors and name give the context.")
        parser.add_argument("--engine", choices=["offline", "vertex"], help="Force an engine (default: automatic).")

    def handle(self, *args, clinic=None, engine=None, **options):
        context = ClinicContext(today=timezone.localdate())
        if clinic:
            from clinics.models import Clinic

            try:
                connection.set_tenant(Clinic.objects.get(slug=clinic))
            except Clinic.DoesNotExist as exc:
                raise CommandError(f"No clinic with slug {clinic!r}.") from exc
            context = clinic_context()
        for line in options.get("stdin") or sys.stdin:
            reading = understand(line.rstrip("\r\n"), clinic_context=context, engine=engine)
            self.stdout.write(json.dumps(reading.as_dict(), ensure_ascii=False))
