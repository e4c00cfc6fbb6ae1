"""Time to onboard one clinic (clinics.services.create_clinic) with 10, 100 and 1,000 clinics present.

    d=$(mktemp -d) && SMARTCLINIC_DATA_DIR=$d .venv/bin/python bench/onboarding.py [--levels 10,100,1000]; rm -rf $d

Two ways of making the new clinic's schema are timed at each level:
- `migrations`: what production does today (CREATE SCHEMA + every tenant migration);
- `clone`: django-tenants' clone of a migrated template schema (TENANT_CREATION_FAKES_MIGRATIONS +
  TENANT_BASE_SCHEMA, set at runtime here only; the clone's migrations are then faked).
The clinics "present" are real: Clinic, Domain and WhatsAppNumber rows and a schema each, made
by running the template's pg_dump (structure and the rows its migrations wrote, so their
django_migrations match) with the schema renamed: the fastest correct way to get 1,000 of them.
(Making them with django-tenants' clone_schema instead took ~20 s a clone by the 80th, on a busy machine.)
Never point it at a database you care about.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartclinic.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from clinics.models import Clinic, Domain, WhatsAppNumber  # noqa: E402
from clinics.services import clinic_domain, create_clinic  # noqa: E402

TEMPLATE = "clinic_template"


def make_template() -> None:
    """A migrated tenant schema that is no clinic: the source of every clone."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{TEMPLATE}"')
    call_command("migrate_schemas", tenant=True, schema_name=TEMPLATE, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def template_sql() -> str:
    """The template schema as SQL (structure and the rows its migrations wrote), from pg_dump."""
    import pgserver

    db = settings.DATABASES["default"]
    pg_dump = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    dump = subprocess.run(  # noqa: S603 - our own embedded server's tool and database
        [str(pg_dump), "--schema", TEMPLATE, "--inserts", "--no-owner", "--no-privileges", "--host", db["HOST"]]
        + ["--username", db["USER"], "--dbname", db["NAME"]]
        + (["--port", str(db["PORT"])] if db.get("PORT") else []),
        env={**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # psql meta-commands (\\restrict and the like) are not SQL; everything else runs as is.
    return "\n".join(line for line in dump.splitlines() if not line.startswith("\\") and "search_path" not in line)


def add_present_clinics(upto: int, sql: str) -> float:
    """Real clinics until `upto` exist: rows, and a schema each made from the template's SQL."""
    have = Clinic.objects.exclude(schema_name="public").count()
    started = time.perf_counter()
    for n in range(have, upto):
        slug = f"present{n:05d}"
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql.replace(TEMPLATE, slug))
            connection.set_schema_to_public()
            clinic = Clinic(schema_name=slug, slug=slug, name_en=f"Clinic {n}", name_zh=f"診所 {n}")
            clinic.auto_create_schema = False  # the schema is the copy above
            clinic.save()
            Domain.objects.create(domain=clinic_domain(slug), tenant=clinic, is_primary=True)
            WhatsAppNumber.objects.create(clinic=clinic, phone_number_id=f"77{n:08d}", display_phone="+852 3000 0000")
    connection.set_schema_to_public()
    added = upto - have
    return (time.perf_counter() - started) / added if added > 0 else 0.0


def onboard(tag: str, *, clone: bool) -> float:
    settings.TENANT_CREATION_FAKES_MIGRATIONS = clone
    settings.TENANT_BASE_SCHEMA = TEMPLATE if clone else None
    started = time.perf_counter()
    create_clinic(
        slug=tag,
        name_en="New Clinic",
        name_zh="新診所",
        phone_number_id=str(abs(hash(tag)) % 10**12 + 10**12),
        display_phone="+852 3999 0000",
        manager_email=f"manager@{tag}.test",
        manager_password="bench-password-not-secret",  # noqa: S106
    )
    elapsed = time.perf_counter() - started
    connection.set_schema_to_public()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=3, help="onboardings timed per level and method")
    args = parser.parse_args()
    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    make_template()
    sql = template_sql()
    for level in (int(value) for value in args.levels.split(",")):
        per_clone = add_present_clinics(level, sql)
        print(f"# {level} clinics present (made at {per_clone:.3f} s each)", flush=True)
        for method, clone in (("migrations", False), ("clone", True)):
            times = []
            for attempt in range(args.repeat):
                times.append(onboard(f"new{method[:3]}{level}x{attempt}", clone=clone))
                # Keep the level: the clinic just onboarded is removed again.
                Clinic.objects.get(slug=f"new{method[:3]}{level}x{attempt}").delete(force_drop=True)
            print(f"onboarding_{method}_{level}_clinics {statistics.median(times):.2f} s", flush=True)


if __name__ == "__main__":
    main()
