"""Operator admin: PDPO requests (days left, overdue first) and their actions, the refusal log,
disclosures, retention floors, departures and certificates, the policy versions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context
from unfold.admin import ModelAdmin, TabularInline
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from clinics.frontdesk.models import Language as PatientLanguage
from privacy import services
from privacy.models import (
    ClinicExport,
    DeletionCertificate,
    DisclosureLog,
    PolicyVersion,
    PrivacyEvent,
    PrivacyRequest,
    RefusalLogEntry,
    RefusalReason,
    RetentionFloor,
    UpcomingDeletion,
)
from privacy.selectors import deletion_date
from smartclinic.admin_sites import operator_site


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# What each recorded step is called for our staff; events carry a machine code (privacy.services._event).
EVENT_LABELS = {
    **dict(PrivacyRequest.Status.choices),
    "identity_verified": _("Identity verified"),
    "notice_sent": _("Notice sent"),
    "extended": _("Deadline extended"),
    "export_made": _("Copy of the data made"),
    "export_downloaded": _("Copy downloaded"),
    "erased": _("Data erased"),
    "corrected": _("Data corrected"),
}


class PrivacyEventInline(ReadOnlyMixin, TabularInline):
    model = PrivacyEvent
    fields = ("at", "actor", "step", "note", "data")
    readonly_fields = fields
    extra = 0
    hide_title = True  # each row's title would be "<id> <code>"

    @admin.display(description=_("action"))
    def step(self, event):
        return EVENT_LABELS.get(event.action, event.action)


class NewRequestForm(forms.ModelForm):
    wa_id = forms.CharField(
        label=_("WhatsApp number (with 852)"),
        max_length=20,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("A Hong Kong number may be given as its 8 digits: 852 is put in front."),
    )

    class Meta:
        model = PrivacyRequest
        fields = ("clinic", "kind", "wa_id", "language", "details", "received_on", "fee_charged")

    def clean_wa_id(self):
        # WhatsApp knows a patient by the full international number; normalise_number adds 852 to a local one.
        return services.normalise_number(self.cleaned_data["wa_id"])


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How was identity confirmed?"),
        choices=PrivacyRequest.Verification.choices,
        widget=UnfoldAdminSelectWidget,
    )


def _send_on_whatsapp_field():
    return forms.BooleanField(
        label=_("Send the notice to the requester on WhatsApp now"),
        help_text=_("From the clinic's number, in the requester's language. Untick if you gave it another way."),
        required=False,
        initial=True,
        widget=UnfoldBooleanSwitchWidget,
    )


# The action pages draw their forms with Unfold's field template: plain Django widgets would be unstyled there.
class ExtendForm(forms.Form):
    reason = forms.CharField(label=_("Why it cannot be done within 40 days"), widget=UnfoldAdminTextareaWidget)
    extended_due_on = forms.DateField(label=_("New date"), widget=UnfoldAdminSingleDateWidget)
    send_on_whatsapp = _send_on_whatsapp_field()
    notice_sent_on = forms.DateField(
        label=_("Notice given on (when not sent on WhatsApp)"),
        initial=timezone.localdate,
        required=False,
        widget=UnfoldAdminSingleDateWidget,
    )


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Ground in the Ordinance"), choices=RefusalReason.choices, widget=UnfoldAdminSelectWidget
    )
    particulars = forms.CharField(
        label=_("Particulars (for the notice and the s.27 log)"), widget=UnfoldAdminTextareaWidget
    )
    send_on_whatsapp = _send_on_whatsapp_field()


class CorrectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False, widget=UnfoldAdminTextInputWidget)
    language = forms.ChoiceField(label=_("Language"), choices=PatientLanguage.choices, widget=UnfoldAdminSelectWidget)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked this request and want to carry it out"), widget=UnfoldBooleanSwitchWidget
    )


@admin.register(PrivacyRequest, site=operator_site)
class PrivacyRequestAdmin(ModelAdmin):
    list_display = ("reference", "clinic_slug", "kind", "status", "received_on", "deadline", "days_left")
    list_filter = ("status", "kind", "clinic_slug")
    search_fields = ("reference", "clinic_slug", "wa_id_masked")
    inlines = [PrivacyEventInline]
    actions = ["verify_by_number"]
    readonly_fields = (
        "what_next", "reference", "clinic", "clinic_slug", "kind", "source", "wa_id_masked", "language", "details",
        "received_on", "due_on", "extension_reason", "extension_notice_sent_on", "extended_due_on",
        "verification_method", "verified_by", "verified_at", "status", "outcome", "refusal_reason",
        "fee_charged", "responded_on", "closed_at", "export_expires_on",
    )  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                deadline_on=Coalesce(F("extended_due_on"), F("due_on")),
                closed_rank=Case(
                    When(status__in=PrivacyRequest.OPEN_STATUSES, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
            )
            .order_by("closed_rank", "deadline_on", "id")
        )

    def get_ordering(self, request):
        # Open requests first, the nearest (extended) deadline first; the model's own ordering would
        # otherwise win over get_queryset's and mix closed requests in by their original due date.
        closed_rank = Case(
            When(status__in=PrivacyRequest.OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [closed_rank.asc(), Coalesce(F("extended_due_on"), F("due_on")).asc(), "id"]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewRequestForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def get_fields(self, request, obj=None):
        return NewRequestForm.Meta.fields if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = services.create_request(
            clinic=data["clinic"], kind=data["kind"], wa_id=data["wa_id"], language=data["language"],
            details=data["details"], received_on=data["received_on"], fee_charged=data["fee_charged"],
            user=request.user,
        )  # fmt: skip
        obj.pk = created.pk

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: a request moves only through its action pages, so no Save buttons.
        no_save = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**no_save, **(extra_context or {})})

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("due"), ordering="deadline_on")
    def deadline(self, obj):
        return obj.deadline

    @admin.display(description=_("days left"))
    def days_left(self, obj):
        if not obj.is_open:
            return "—"
        days = obj.days_left()
        return format_html('<strong style="color:#b91c1c">{}</strong>', days) if days < 0 else days

    @admin.display(description=_("actions"))
    def what_next(self, obj):
        if obj.pk is None:
            return ""
        links = []
        if obj.is_open:
            links.append(("verify", _("Verify identity")))
            links.append(("extend", _("Extend (s.19(2))")))
            links.append(("refuse", _("Refuse")))
            links.append(
                ("correct", _("Apply correction")) if obj.kind == "correction" else ("carry-out", _("Carry out"))
            )
        if obj.export_file:
            links.append(("export-link", _("Download link for the copy (24 h)")))
        button = (
            '<a href="{}" class="border border-base-200 inline-block mb-1 mr-1 px-3 py-1 rounded-default '
            'text-primary-600 hover:bg-base-50 dark:border-base-700 dark:text-primary-500">{}</a>'
        )
        return (
            format_html_join(
                "", button, ((reverse(f"admin:privacy_request_{name}", args=[obj.pk]), label) for name, label in links)
            )
            or "—"
        )

    @admin.action(description=_("Verify identity: wrote from the number concerned"))
    def verify_by_number(self, request, queryset):
        for obj in queryset.filter(status__in=PrivacyRequest.OPEN_STATUSES):
            services.verify_identity(
                request=obj, method=PrivacyRequest.Verification.WHATSAPP_NUMBER_MATCH, user=request.user
            )

    def get_urls(self):
        views = {
            "verify": self.verify_view,
            "extend": self.extend_view,
            "refuse": self.refuse_view,
            "carry-out": self.carry_out_view,
            "correct": self.correct_view,
            "export-link": self.export_link_view,
        }
        extra = [
            path(f"<int:pk>/{name}/", self.admin_site.admin_view(view), name=f"privacy_request_{name}")
            for name, view in views.items()
        ]
        return extra + super().get_urls()

    def _page(self, request, obj, title, form, extra=None):
        context = {
            **self.admin_site.each_context(request),
            "title": f"{obj.reference}: {title}",
            "obj": obj,
            "form": form,
            "opts": self.model._meta,
            **(extra or {}),
        }
        return TemplateResponse(request, "privacy/admin/action.html", context)

    def _done(self, request, obj, message):
        self.message_user(request, message, messages.SUCCESS)
        return redirect(reverse("admin:privacy_privacyrequest_change", args=[obj.pk]))

    def _handle(self, request, pk, form_class, title, act, initial=None, extra=None):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        obj = get_object_or_404(PrivacyRequest, pk=pk)
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                message = act(obj, form.cleaned_data)
            except (ValidationError, LookupError) as error:
                form.add_error(None, "; ".join(getattr(error, "messages", [str(error)])))
            else:
                return self._done(request, obj, message)
        return self._page(request, obj, title, form, extra)

    def verify_view(self, request, pk):
        def act(obj, data):
            services.verify_identity(request=obj, method=data["method"], user=request.user)
            return _("Identity verified.")

        return self._handle(request, pk, VerifyForm, _("verify identity"), act)

    def extend_view(self, request, pk):
        def act(obj, data):
            return services.extend_deadline(request=obj, user=request.user, **data)

        return self._handle(request, pk, ExtendForm, _("extend the deadline"), act)

    def refuse_view(self, request, pk):
        def act(obj, data):
            entry = services.refuse(request=obj, user=request.user, **data)
            return entry.notice_text

        return self._handle(request, pk, RefuseForm, _("refuse"), act)

    def carry_out_view(self, request, pk):
        def act(obj, data):
            return services.carry_out(request=obj, user=request.user).outcome

        return self._handle(request, pk, ConfirmForm, _("carry out"), act)

    def correct_view(self, request, pk):
        obj = get_object_or_404(PrivacyRequest, pk=pk)
        before, shown = {}, {}
        if obj.is_open and obj.clinic and obj.wa_id:
            with tenant_context(obj.clinic):
                try:
                    patient = services.find_patient(clinic=obj.clinic, wa_id=obj.wa_id)
                    before = {"name": patient.name, "language": patient.language}
                    # The "Field" column shows each field's own (translated) name, not its key.
                    shown = {patient._meta.get_field(key).verbose_name: value for key, value in before.items()}
                except services.PatientNotFound:
                    before = {}

        def act(obj, data):
            diff = services.apply_correction(request=obj, changes=data, user=request.user)
            return "; ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in diff.items()) or _("Nothing differed.")

        return self._handle(
            request, pk, CorrectionForm, _("apply a correction"), act, initial=before, extra={"before": shown}
        )

    def export_link_view(self, request, pk):
        obj = get_object_or_404(PrivacyRequest, pk=pk)
        link = request.build_absolute_uri(services.export_link(request=obj))
        return self._page(request, obj, _("download the copy"), None, {"link": link})


@admin.register(RefusalLogEntry, site=operator_site)
class RefusalLogAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("request_reference", "clinic_slug", "kind", "reason", "recorded_on", "keep_until")
    list_filter = ("reason", "kind")
    search_fields = ("request_reference", "clinic_slug")


@admin.register(DisclosureLog, site=operator_site)
class DisclosureLogAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("clinic", "recipient", "purpose", "disclosed_at")
    list_filter = ("clinic",)


@admin.register(RetentionFloor, site=operator_site)
class RetentionFloorAdmin(ModelAdmin):
    list_display = ("clinic", "category", "keep_days", "reason")
    list_filter = ("clinic", "category")


@admin.register(ClinicExport, site=operator_site)
class ClinicExportAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("clinic_slug", "created_at", "size_bytes", "sha256", "deleted_at")


@admin.register(DeletionCertificate, site=operator_site)
class DeletionCertificateAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("number", "clinic_slug", "left_on", "retention_days", "deleted_at", "performed_by")
    readonly_fields = ("number", "clinic_slug", "clinic_name", "left_on", "retention_days", "deleted_at", "counts",
                       "deleted", "performed_by")  # fmt: skip


@admin.register(UpcomingDeletion, site=operator_site)
class UpcomingDeletionAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("slug", "name_en", "left_on", "retention_days", "deletion_on", "days_left", "legal_hold", "export")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status="left").order_by("left_on")

    @admin.display(description=_("deleted on"))
    def deletion_on(self, obj):
        return deletion_date(obj)

    @admin.display(description=_("days left"))
    def days_left(self, obj):
        if obj.legal_hold:
            return _("held")
        return (deletion_date(obj) - timezone.localdate()).days

    @admin.display(description=_("export made"), boolean=True)
    def export(self, obj):
        return ClinicExport.objects.filter(clinic_id=obj.pk).exists()


@admin.register(PolicyVersion, site=operator_site)
class PolicyVersionAdmin(ModelAdmin):
    list_display = ("version", "effective_on", "updated_at", "published")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(boolean=True, description=_("published"))
    def published(self, obj):
        return obj.is_published

    def get_readonly_fields(self, request, obj=None):
        # A published version is the record of what patients were told: add a new one instead.
        if obj is not None and obj.is_published:
            return ("version", "effective_on", "body_en", "body_zh", "created_at", "updated_at")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published
