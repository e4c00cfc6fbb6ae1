"""Scheduled front-desk work: public dispatchers (beat) queue one clinic task per active clinic."""

from clinics.frontdesk import services, sheets
from smartclinic.celery import ClinicTask, PublicTask, app


def _active_schemas() -> list[str]:
    from clinics.models import Clinic

    return list(
        Clinic.objects.filter(status=Clinic.Status.ACTIVE)
        .exclude(schema_name="public")
        .values_list("schema_name", flat=True)
    )


@app.task(base=ClinicTask)
def send_due_reminders() -> int:
    return services.send_due_reminders()


@app.task(base=ClinicTask)
def flush_sheet() -> int:
    return sheets.flush()


@app.task(base=PublicTask)
def dispatch_reminders() -> int:
    schemas = _active_schemas()
    for schema in schemas:
        send_due_reminders.delay_for(schema)
    return len(schemas)


@app.task(base=PublicTask)
def dispatch_sheets() -> int:
    schemas = _active_schemas()
    for schema in schemas:
        flush_sheet.delay_for(schema)
    return len(schemas)
