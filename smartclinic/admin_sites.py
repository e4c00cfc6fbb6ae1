"""Two admin sites: the operator's on the public domain, each clinic's on its own domain.

Both are mounted as `admin` in their own URLconf, so they never share a URL space, and
accounts are separate because auth tables live in each schema.
"""

from django.db import connection
from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite


class OperatorAdminSite(UnfoldAdminSite):
    site_url = None  # no public site at "/": no "View site" / "Return to site" link to a 404
    site_header = _("SmartClinic operator")
    site_title = _("SmartClinic operator")
    index_title = _("Clinics and privacy")
    login_template = "operator/login.html"

    def __init__(self, name: str = "admin") -> None:
        from smartclinic.otp import OperatorLoginForm

        super().__init__(name)
        self.login_form = OperatorLoginForm  # password and authenticator code (smartclinic.otp)

    def has_permission(self, request):
        # Our staff see every clinic: a password alone is not enough (two-factor, django-otp).
        return super().has_permission(request) and request.user.is_verified()


class ClinicAdminSite(UnfoldAdminSite):
    site_url = None  # the clinic's domain serves the admin, the board and /privacy; "/" is nothing
    site_title = _("SmartClinic")
    index_title = _("Today at the clinic")

    def each_context(self, request):
        context = super().each_context(request)
        clinic = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
        if clinic is not None and hasattr(clinic, "name_for"):
            # The clinic's own name on every page, in the language the page is shown in.
            name = clinic.name_for(request.LANGUAGE_CODE or "en")
            context["site_header"] = name
            context["site_title"] = name
        return context


operator_site = OperatorAdminSite(name="admin")
clinic_site = ClinicAdminSite(name="admin")


def environment_badge(request):
    from django.conf import settings

    if settings.PRODUCTION:
        return None
    return [str(_("Development")), "warning"]


def register_accounts_and_activity(site) -> None:
    """Staff accounts, roles and the activity log: on both sites, each in its own schema."""
    from auditlog.admin import LogEntryAdmin
    from auditlog.models import LogEntry
    from auditlog.render import get_field_verbose_name
    from django.contrib import admin
    from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
    from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
    from django.contrib.auth.models import Group, User
    from django.utils.text import Truncator
    from django.utils.translation import ngettext
    from unfold.admin import ModelAdmin
    from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

    class StaffAdmin(BaseUserAdmin, ModelAdmin):
        form = UserChangeForm
        add_form = UserCreationForm
        change_password_form = AdminPasswordChangeForm

    class RoleAdmin(BaseGroupAdmin, ModelAdmin):
        pass

    class ActivityLogAdmin(LogEntryAdmin, ModelAdmin):
        # auditlog writes these three columns as fixed English; staff read the log in their own language.
        @admin.display(description=_("User"))
        def user_url(self, obj):
            if obj.actor:
                return super().user_url(obj)
            # Our staff writing into a clinic's schema have no account there: their email is kept instead.
            return obj.actor_email or _("system")

        @admin.display(description=_("Changes"))
        def msg_short(self, obj):
            if obj.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
                return ""
            changes = obj.changes_dict
            fields = ", ".join(str(get_field_verbose_name(obj, name)) for name in changes)
            return ngettext("%(count)d change: %(fields)s", "%(count)d changes: %(fields)s", len(changes)) % {
                "count": len(changes),
                "fields": Truncator(fields).chars(140),
            }

        @admin.display(description=_("Correlation ID"))
        def cid_url(self, obj):
            return super().cid_url(obj)

        def has_change_permission(self, request, obj=None):
            return False

    site.register(User, StaffAdmin)
    site.register(Group, RoleAdmin)
    site.register(LogEntry, ActivityLogAdmin)
