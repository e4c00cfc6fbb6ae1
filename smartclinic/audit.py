"""The activity log's actor, schema-aware.

django-auditlog links each entry to the user making the request. Our staff act from the
public schema, and some of their actions write into a clinic's schema (a PDPO correction,
say); there the user table is the clinic's own and has no row for them. So the link is
made only when the entry lands in the schema the user belongs to; elsewhere the entry
keeps the actor's email, which still says who did it.
"""

from auditlog.middleware import AuditlogMiddleware
from django.contrib.auth import get_user_model
from django.db import connection


class SchemaAwareAuditlogMiddleware(AuditlogMiddleware):
    def get_extra_data(self, request):
        context = super().get_extra_data(request)
        actor = context.pop("actor", None)
        if isinstance(actor, get_user_model()):
            home_schema = connection.schema_name  # the tenant middleware already chose it
            # auditlog calls these when the entry is saved, in whatever schema that is.
            context["actor_id"] = lambda: actor.pk if connection.schema_name == home_schema else None
            context["actor_email"] = lambda: actor.email or actor.get_username()
        return context
