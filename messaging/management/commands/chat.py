"""`manage.py chat --clinic SLUG --from 85291234567 [--json]`: play the patient through the real pipeline.

Each stdin line is a patient message (`#button:<id>` / `#list:<id>` presses a reply button or
list row). It is POSTed, signed, to the real webhook view; the tasks run in-process (eager);
replies go through the real Graph client to an in-process Graph API stand-in and are printed.
"""

import contextlib
import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from clinics.models import Clinic
from messaging import simulator
from smartclinic.celery import app
from smartclinic.standins.graph import GraphStandIn


class Command(BaseCommand):
    help = "Chat with a clinic's WhatsApp assistant as a patient, through the real webhook, tasks and Graph client."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", required=True, help="the clinic's slug")
        parser.add_argument(
            "--from", dest="wa_id", required=True, help="the patient's WhatsApp number, e.g. 85291234567"
        )
        parser.add_argument("--name", default="", help="the patient's WhatsApp profile name")
        parser.add_argument("--json", action="store_true", help="one JSON object per input line")

    def handle(self, *args, clinic, wa_id, name, **options):
        found = Clinic.objects.filter(slug=clinic).exclude(schema_name="public").first()
        if found is None:
            known = ", ".join(Clinic.objects.exclude(schema_name="public").values_list("slug", flat=True)) or "none"
            raise CommandError(f"Unknown clinic {clinic!r} (known: {known}).")
        number = found.whatsapp_numbers.filter(active=True).first()
        if number is None:
            raise CommandError(f"Clinic {clinic!r} has no active WhatsApp number.")
        if not wa_id.isdigit():
            raise CommandError("--from must be digits only, e.g. 85291234567.")
        standin = GraphStandIn().start()
        eager = app.conf.task_always_eager
        graph_url = settings.WHATSAPP_GRAPH_URL
        settings.WHATSAPP_GRAPH_URL = standin.url
        app.conf.task_always_eager = True
        try:
            session = _Session(number.phone_number_id, number.display_phone, wa_id, name, standin)
            for raw in sys.stdin:
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                # Whatever the pipeline prints (the console mail backend, a library) goes to stderr:
                # stdout carries only the replies, one JSON object per line with --json.
                with contextlib.redirect_stdout(sys.stderr):
                    replies = session.say(line)
                if options["json"]:
                    self.stdout.write(_dumps({"in": line, "replies": replies}))
                else:
                    self.stdout.write(f"> {line}")
                    for reply in replies:
                        self.stdout.write(_readable(reply))
        finally:
            settings.WHATSAPP_GRAPH_URL = graph_url
            app.conf.task_always_eager = eager
            standin.stop()


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _readable(reply: dict) -> str:
    if reply["type"] == "text":
        return f"< {reply['text']}"
    if reply["type"] == "buttons":
        buttons = "  ".join(f"[{b['title']}] #button:{b['id']}" for b in reply["buttons"])
        return f"< {reply['text']}\n  {buttons}"
    if reply["type"] == "list":
        rows = [
            f"  - {r['title']} {r['description']} #list:{r['id']}".rstrip()
            for s in reply["sections"]
            for r in s["rows"]
        ]
        return f"< {reply['text']} ({reply['button']})\n" + "\n".join(rows)
    if reply["type"] == "template":
        return f"< [template {reply['name']} / {reply['language']}]"
    return f"< [{reply['type']}]"


class _Session:
    """One patient's side of the chat: builds Meta's webhook bodies and collects what was sent back."""

    def __init__(self, phone_number_id: str, display_phone: str, wa_id: str, name: str, standin: GraphStandIn):
        self.phone_number_id = phone_number_id
        self.display_phone = display_phone
        self.wa_id = wa_id
        self.name = name
        self.standin = standin
        self.client = Client(HTTP_HOST=settings.BASE_DOMAIN)
        self.choices: dict[str, dict] = {}  # button / row id → what WhatsApp would send back
        self.last_wamid = ""

    def say(self, line: str) -> list[dict]:
        before = len(self.standin.sent_to(to=self.wa_id))
        message = simulator.patient_message(
            wa_id=self.wa_id, line=line, choices=self.choices, context_wamid=self.last_wamid
        )
        body = json.dumps(
            simulator.envelope(
                phone_number_id=self.phone_number_id,
                display_phone=self.display_phone,
                wa_id=self.wa_id,
                name=self.name,
                message=message,
            )
        ).encode()
        response = self.client.post(
            "/webhooks/whatsapp",
            data=body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=simulator.signature(body),
        )
        if response.status_code != 200:
            raise CommandError(f"The webhook answered {response.status_code}.")
        replies = []
        for entry in self.standin.sent_to(to=self.wa_id)[before:]:
            reply = simulator.reply_shape(entry["payload"])
            replies.append(reply)
            self.last_wamid = entry["wamid"]
            simulator.remember_choices(reply, self.choices)
        return replies
