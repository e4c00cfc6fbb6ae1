import qrcode
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartclinic.otp import current_code, enrol


class Command(BaseCommand):
    help = "Enrol (or replace) an operator's authenticator for the operator admin's two-factor sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--code", action="store_true", help="Print the current code instead (not in production).")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No operator account named {options['username']!r}.")
        if options["code"]:
            if settings.PRODUCTION:
                raise CommandError("--code is for local development only.")
            device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
            if device is None:
                raise CommandError("This account has no authenticator yet.")
            self.stdout.write(current_code(device))
            return
        device = enrol(user=user)
        self.stdout.write("Scan this with an authenticator app (any earlier one for this account stops working):")
        code = qrcode.QRCode(border=1)
        code.add_data(device.config_url)
        code.print_ascii(out=self.stdout._out, invert=True)
        self.stdout.write(device.config_url)
