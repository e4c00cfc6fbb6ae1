from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinics.services import create_clinic


class Command(BaseCommand):
    help = "Onboard a clinic: its schema, domain, WhatsApp number and a manager account."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name-en", required=True)
        parser.add_argument("--name-zh", required=True)
        parser.add_argument("--phone-number-id", required=True, help="Meta's phone_number_id")
        parser.add_argument("--display-phone", required=True)
        parser.add_argument("--manager-email")
        parser.add_argument("--manager-password")

    def handle(self, *args, **options):
        try:
            new = create_clinic(
                slug=options["slug"],
                name_en=options["name_en"],
                name_zh=options["name_zh"],
                phone_number_id=options["phone_number_id"],
                display_phone=options["display_phone"],
                manager_email=options["manager_email"],
                manager_password=options["manager_password"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {new.clinic} at http://{new.domain}/admin/"))
        self.stdout.write(f"Manager: {new.manager_email}")
        if new.manager_password:
            self.stdout.write(f"Generated password (shown once): {new.manager_password}")
