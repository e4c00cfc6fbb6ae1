"""Operator admin: clinics, their domains and WhatsApp numbers, and our own staff."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from clinics.models import Clinic, Domain, WhatsAppNumber
from smartclinic.admin_sites import operator_site, register_accounts_and_activity

register_accounts_and_activity(operator_site)


class DomainInline(TabularInline):
    model = Domain
    extra = 0


class WhatsAppNumberInline(TabularInline):
    model = WhatsAppNumber
    extra = 0
    fields = ("phone_number_id", "display_phone", "waba_id", "active")


@admin.register(Clinic, site=operator_site)
class ClinicAdmin(ModelAdmin):
    list_display = ("slug", "name_en", "name_zh", "status", "left_on", "retention_days", "legal_hold")
    list_filter = ("status", "legal_hold")
    search_fields = ("slug", "name_en", "name_zh")
    readonly_fields = ("schema_name", "created_at")
    inlines = [DomainInline, WhatsAppNumberInline]
    fieldsets = (
        (None, {"fields": ("slug", "schema_name", "name_en", "name_zh", "created_at")}),
        (_("Lifecycle"), {"fields": ("status", "left_on", "retention_days", "legal_hold", "legal_hold_reason")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The slug names the schema: it cannot change once the schema exists.
        return (*self.readonly_fields, "slug") if obj else self.readonly_fields

    def has_add_permission(self, request):
        return False  # onboarding goes through create_clinic, which builds the schema and the manager


@admin.register(WhatsAppNumber, site=operator_site)
class WhatsAppNumberAdmin(ModelAdmin):
    list_display = ("display_phone", "phone_number_id", "clinic", "active")
    search_fields = ("display_phone", "phone_number_id", "clinic__slug")
    list_filter = ("active",)
    exclude = ("access_token",)
