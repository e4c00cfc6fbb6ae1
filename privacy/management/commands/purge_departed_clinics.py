"""Delete clinics that left more than their retention period ago (no legal hold), on demand."""

from django.core.management.base import BaseCommand

from privacy.retention import purge_due_clinics
from privacy.selectors import clinics_held


class Command(BaseCommand):
    help = "Delete departed clinics past their retention period: schema, media, cache keys, mirror."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print what would be deleted, delete nothing")

    def handle(self, *args, dry_run, **options):
        for clinic in clinics_held():
            self.stdout.write(f"{clinic.slug}: kept, legal hold ({clinic.legal_hold_reason or 'no reason given'})")
        plans, certificates = purge_due_clinics(dry_run=dry_run, performed_by="purge_departed_clinics")
        if not plans:
            self.stdout.write("No clinic is due for deletion.")
        for plan in plans:
            if plan.postponed:
                self.stdout.write(self.style.WARNING("Not deleted yet " + plan.describe()))
            else:
                self.stdout.write(("Would delete " if dry_run else "Deleted ") + plan.describe())
        for certificate in certificates:
            self.stdout.write(f"Certificate {certificate.number} for {certificate.clinic_slug}")
