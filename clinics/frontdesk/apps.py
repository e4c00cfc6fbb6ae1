from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _refresh_staff_roles(sender, using, **kwargs):
    """New models bring new permissions: keep each clinic's roles granting them."""
    from django.db import connection

    if connection.schema_name != "public":
        from clinics.frontdesk.services import ensure_staff_roles

        ensure_staff_roles()


class FrontdeskConfig(AppConfig):
    name = "clinics.frontdesk"
    label = "frontdesk"
    verbose_name = _("Front desk")

    def ready(self):
        post_migrate.connect(_refresh_staff_roles, dispatch_uid="frontdesk_refresh_staff_roles")
