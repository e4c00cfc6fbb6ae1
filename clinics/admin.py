"""Operator admin: clinics, their domains and WhatsApp numbers, and our own staff."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.widgets import UnfoldAdminEmailInputWidget, UnfoldAdminTextInputWidget

from clinics import services
from clinics.models import Clinic, Domain, WhatsAppNumber
from smartclinic.admin_sites import operator_site, register_accounts_and_activity

register_accounts_and_activity(operator_site)


class DomainInline(TabularInline):
    model = Domain
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        # django-tenants' fields have no translated names of their own.
        kwargs["labels"] = {"domain": _("Web address"), "is_primary": _("Main web address")}
        return super().get_formset(request, obj, **kwargs)


class WhatsAppNumberInline(TabularInline):
    model = WhatsAppNumber
    extra = 0
    fields = ("phone_number_id", "display_phone", "waba_id", "active")


class ClinicForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ("name_en", "name_zh", "status", "left_on", "retention_days", "legal_hold", "legal_hold_reason")

    def clean(self):
        cleaned = super().clean()
        # The database refuses a departure without a date; say so in words instead of naming the constraint.
        if cleaned.get("status") == Clinic.Status.LEFT and not cleaned.get("left_on"):
            self.add_error(
                "left_on", _("Give the day the clinic left: its data is deleted the retention days after it.")
            )
        if cleaned.get("legal_hold") and not (cleaned.get("legal_hold_reason") or "").strip():
            self.add_error("legal_hold_reason", _("Say why the data is held, for the record."))
        return cleaned


class NewClinicForm(forms.Form):
    slug = forms.CharField(label=capfirst(_("slug")), max_length=31, widget=UnfoldAdminTextInputWidget)
    name_en = forms.CharField(label=capfirst(_("name (English)")), max_length=200, widget=UnfoldAdminTextInputWidget)
    name_zh = forms.CharField(label=capfirst(_("name (Chinese)")), max_length=200, widget=UnfoldAdminTextInputWidget)
    phone_number_id = forms.CharField(
        label=capfirst(_("phone number ID")),
        max_length=32,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("Meta's phone_number_id for the clinic's WhatsApp number (WhatsApp Manager, API setup)."),
    )
    display_phone = forms.CharField(
        label=capfirst(_("display phone")), max_length=32, widget=UnfoldAdminTextInputWidget, help_text="+852 3000 0000"
    )
    manager_email = forms.EmailField(
        label=_("Manager's email"),
        required=False,
        widget=UnfoldAdminEmailInputWidget,
        help_text=_("The manager signs in with it; left empty, it is manager@ followed by the clinic's address."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        example = services.clinic_domain("gamma")
        self.fields["slug"].help_text = _(
            "2-31 lowercase letters and digits. It starts the clinic's address (gamma: %(example)s) and names its "
            "schema, so it cannot change later."
        ) % {"example": example}


def _clinic_admin_url(request, domain: str) -> str:
    port = request.get_port()
    return f"{request.scheme}://{domain}{'' if port in ('80', '443') else ':' + port}/admin/"


@admin.register(Clinic, site=operator_site)
class ClinicAdmin(ModelAdmin):
    form = ClinicForm
    list_display = ("slug", "name_en", "name_zh", "status", "left_on", "retention_days", "legal_hold")
    list_filter = ("status", "legal_hold")
    search_fields = ("slug", "name_en", "name_zh")
    readonly_fields = ("schema", "created_at")
    inlines = [DomainInline, WhatsAppNumberInline]
    fieldsets = (
        (None, {"fields": ("slug", "schema", "name_en", "name_zh", "created_at")}),
        (_("Lifecycle"), {"fields": ("status", "left_on", "retention_days", "legal_hold", "legal_hold_reason")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The slug names the schema: it cannot change once the schema exists.
        return (*self.readonly_fields, "slug") if obj else self.readonly_fields

    @admin.display(description=_("Database schema"))
    def schema(self, clinic):
        return clinic.schema_name

    def has_delete_permission(self, request, obj=None):
        # A clinic's data goes only through departure and the retention purge, which leave a deletion certificate.
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Onboarding builds the schema, domain, number and manager together (clinics.services.create_clinic)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewClinicForm(request.POST or None)
        created = None
        if request.method == "POST" and form.is_valid():
            try:
                created = services.create_clinic(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add a clinic"),
            "opts": self.model._meta,
            "form": form,
            "created": created,
            "change_url": created and reverse("admin:clinics_clinic_change", args=[created.clinic.pk]),
            "admin_url": created and _clinic_admin_url(request, created.domain),
        }
        # Rendered, never redirected: a generated password is shown this once and kept nowhere.
        return TemplateResponse(request, "operator/new_clinic.html", context)


@admin.register(WhatsAppNumber, site=operator_site)
class WhatsAppNumberAdmin(ModelAdmin):
    list_display = ("display_phone", "phone_number_id", "clinic", "active")
    search_fields = ("display_phone", "phone_number_id", "clinic__slug")
    list_filter = ("active",)
    exclude = ("access_token",)
