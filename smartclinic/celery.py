"""The Celery app. Every task carries the schema it belongs to (tenant-schemas-celery).

Clinic work is a `ClinicTask`: it runs in the clinic schema it was queued for and refuses
to be queued from the public schema, so tenant work can never run in the wrong place by
accident. Public work (dispatchers, privacy deadlines, retention) uses `PublicTask`.
"""

import os

from django.db import connection, transaction
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartclinic.settings")

PUBLIC_SCHEMA = "public"


class WrongSchemaError(RuntimeError):
    """Raised when clinic work is queued without a clinic schema."""


class ClinicTask(TenantTask):
    abstract = True

    def apply_async(
        self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, shadow=None, **options
    ):
        headers = dict(options.pop("headers", None) or {})
        schema = headers.setdefault("_schema_name", connection.schema_name)
        if schema == PUBLIC_SCHEMA:
            raise WrongSchemaError(f"{self.name} is clinic work: queue it inside a clinic schema.")
        return super().apply_async(
            args, kwargs, task_id, producer, link, link_error, shadow, headers=headers, **options
        )

    def delay_on_commit(self, *args, **kwargs):
        # Capture the schema now: by commit time the connection may be in another one.
        headers = {"_schema_name": connection.schema_name}
        if headers["_schema_name"] == PUBLIC_SCHEMA:
            raise WrongSchemaError(f"{self.name} is clinic work: queue it inside a clinic schema.")
        transaction.on_commit(lambda: self.apply_async(args, kwargs, headers=headers))

    def delay_for(self, schema_name: str, *args, **kwargs):
        """Queue for a named clinic schema from anywhere (a public dispatcher, say)."""
        return self.apply_async(args, kwargs, headers={"_schema_name": schema_name})


class PublicTask(TenantTask):
    abstract = True

    def apply_async(
        self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, shadow=None, **options
    ):
        headers = dict(options.pop("headers", None) or {})
        headers["_schema_name"] = PUBLIC_SCHEMA
        return super().apply_async(
            args, kwargs, task_id, producer, link, link_error, shadow, headers=headers, **options
        )


app = CeleryApp("smartclinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
