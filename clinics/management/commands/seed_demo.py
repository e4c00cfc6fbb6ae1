import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinics.demo import CLINICS, DEMO_PASSWORD, OPERATOR_USERNAME, seed_demo
from clinics.models import Clinic
from clinics.services import clinic_domain


class Command(BaseCommand):
    help = "Create the demo clinics alpha and beta with doctors, hours, FAQs and accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any clinic exists.")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates accounts with a known password; it does not run in production.")
        if options["if_empty"] and Clinic.objects.exists():
            return
        seed_demo(self.stdout)
        port = os.environ.get("PORT", "8000")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in with:"))
        self.stdout.write(f"  operator admin  http://localhost:{port}/admin/  {OPERATOR_USERNAME} / {DEMO_PASSWORD}")
        device = TOTPDevice.objects.filter(user__username=OPERATOR_USERNAME).first()
        if device is not None:  # two-factor sign-in: the demo key, or the code printed by operator_totp --code
            self.stdout.write(f"    + authenticator code: {device.config_url}")
            self.stdout.write(f"      or `manage.py operator_totp {OPERATOR_USERNAME} --code`")
        for spec in CLINICS:
            domain = clinic_domain(spec["slug"])
            self.stdout.write(
                f"  {spec['slug']:<6} admin    http://{domain}:{port}/admin/  manager@{domain} / {DEMO_PASSWORD}"
            )
