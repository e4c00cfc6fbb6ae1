"""`privacy export|erase`: carry out a PDPO request from the command line, with its full record."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from clinics.models import Clinic
from privacy import services
from privacy.models import PrivacyRequest

ACTOR = "command line"


class Command(BaseCommand):
    help = "Export (access request) or erase a patient's data, recorded as a completed PrivacyRequest."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the patient's data to a zip (data.json, index.html, media).")
        erase = sub.add_parser("erase", help="Erase the patient's data (retention floors and legal holds apply).")
        for each in (export, erase):
            each.add_argument("--clinic", required=True, help="clinic slug")
            each.add_argument("--phone", required=True, help="WhatsApp number with country code, e.g. 85291234567")
            each.add_argument("--language", default="zh-Hant-HK", choices=["zh-Hant-HK", "en"])
        export.add_argument("--out", required=True, help="zip file to write")
        erase.add_argument("--yes", action="store_true", help="confirm: erasure cannot be undone")

    def handle(self, *args, action, clinic, phone, language, **options):
        try:
            found = Clinic.objects.get(slug=clinic)
        except Clinic.DoesNotExist as error:
            raise CommandError(f"Unknown clinic {clinic!r}.") from error
        try:
            number = services.normalise_number(phone)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        with tenant_context(found):
            try:
                services.find_patient(clinic=found, wa_id=number)
            except services.PatientNotFound as error:
                raise CommandError(f"No patient with that number at {found.slug}.") from error
        if action == "erase" and not options["yes"]:
            raise CommandError("Erasure cannot be undone: add --yes to confirm.")
        kind = PrivacyRequest.Kind.ACCESS if action == "export" else PrivacyRequest.Kind.ERASURE
        request = services.create_request(
            clinic=found, kind=kind, wa_id=number, language=language,
            source=PrivacyRequest.Source.COMMAND, actor=ACTOR,
        )  # fmt: skip
        services.verify_identity(request=request, method=PrivacyRequest.Verification.STAFF_CHECK, actor=ACTOR)
        if action == "export":
            out = Path(options["out"])
            services.carry_out(request=request, actor=ACTOR)
            request.refresh_from_db()
            out.write_bytes(services.export_bytes(request=request))
            services.record_download(request=request, user=None)
            self.stdout.write(f"{request.reference}: written to {out}")
        else:
            services.carry_out(request=request, actor=ACTOR)
            request.refresh_from_db()
            self.stdout.write(f"{request.reference}: {request.outcome}")
