"""Clinic admin: patients, doctors and hours, appointments, the queue, reminders, settings, staff and activity.

Bookings, moves and cancellations made here go through frontdesk.services, so the same
checks apply as on WhatsApp, refusals show as form errors, and the patient is told.
"""

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminEmailInputWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from clinics.frontdesk import selectors, services
from clinics.frontdesk.models import (
    FAQ,
    Appointment,
    ClinicSettings,
    Closure,
    Doctor,
    Patient,
    QueueTicket,
    Reminder,
    WorkingHours,
)
from smartclinic.admin_sites import clinic_site, register_accounts_and_activity

register_accounts_and_activity(clinic_site)


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ("wa_id", "name", "language", "opted_out_at")
        help_texts = {"wa_id": _("With the country code, as WhatsApp shows it; 8 digits alone are taken as 852.")}

    def clean_wa_id(self):
        # WhatsApp sends the full international number, digits only: anything else would never match a chat.
        compact = self.cleaned_data["wa_id"].strip().removeprefix("+").replace(" ", "").replace("-", "")
        digits = f"852{compact}" if len(compact) == 8 else compact
        if not (digits.isdigit() and 8 <= len(digits) <= 15):
            raise ValidationError(_("Give the number with its country code, digits only, e.g. 85291234567."))
        return digits


@admin.register(Patient, site=clinic_site)
class PatientAdmin(ModelAdmin):
    form = PatientForm
    list_display = ("__str__", "wa_id", "language", "opted_out_at", "created_at")
    search_fields = ("name", "wa_id")
    list_filter = ("language",)

    def get_readonly_fields(self, request, obj=None):
        # The number is how WhatsApp knows the patient: changing it would split them from their chat.
        return ("wa_id",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        # Deleting here would erase a patient with no PDPO record, no retention floors and no legal hold:
        # erasure is a privacy request, carried out by SmartClinic (privacy.erasure).
        return False


class WorkingHoursInline(TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Doctor, site=clinic_site)
class DoctorAdmin(ModelAdmin):
    list_display = ("name_en", "name_zh", "slot_minutes", "active")
    inlines = [WorkingHoursInline]


@admin.register(Closure, site=clinic_site)
class ClosureAdmin(ModelAdmin):
    list_display = ("date", "reason")


@admin.register(FAQ, site=clinic_site)
class FAQAdmin(ModelAdmin):
    list_display = ("topic", "question_en", "question_zh", "active")
    list_filter = ("topic", "active")


# --- appointments -----------------------------------------------------------------------
class AppointmentForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ("patient", "doctor", "starts_at", "status")

    def clean(self):
        cleaned = super().clean()
        doctor = cleaned.get("doctor") or getattr(self.instance, "doctor", None)
        starts_at = cleaned.get("starts_at")
        if doctor is None or starts_at is None:
            return cleaned
        moving = self.instance.pk is None or starts_at != self.instance.starts_at
        if moving and cleaned.get("status", Appointment.Status.BOOKED) not in Appointment.INACTIVE:
            try:
                services.check_bookable(
                    doctor=doctor,
                    starts_at=starts_at,
                    source=Appointment.Source.STAFF,
                    patient=cleaned.get("patient") or getattr(self.instance, "patient", None),
                    exclude_pk=self.instance.pk,
                )
            except services.SlotUnavailable as error:
                raise ValidationError({"starts_at": str(error)}) from error
        return cleaned


@admin.register(Appointment, site=clinic_site)
class AppointmentAdmin(ModelAdmin):
    form = AppointmentForm
    list_display = ("starts_at", "doctor", "patient", "status", "source", "created_by")
    list_filter = ("status", "source", "doctor", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("patient__name", "patient__wa_id")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("patient",)
    actions = ["cancel_and_tell"]

    def get_readonly_fields(self, request, obj=None):
        return ("patient", "doctor", "source", "created_by", "cancelled_at") if obj else ()

    def has_delete_permission(self, request, obj=None):
        # Deleting would drop the booking without telling the patient; cancelling tells them and keeps the record.
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if isinstance(initial.get("starts_at"), str):  # from the calendar's "+ book" links
            try:
                naive = datetime.strptime(initial["starts_at"], "%Y-%m-%d %H:%M")
                initial["starts_at"] = timezone.make_aware(naive)
            except ValueError:
                initial.pop("starts_at")
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            booked = services.book_appointment(
                patient=obj.patient,
                doctor=obj.doctor,
                starts_at=obj.starts_at,
                source=Appointment.Source.STAFF,
                booked_by=request.user,
            )
            obj.pk, obj.ends_at, obj.source = booked.pk, booked.ends_at, booked.source
            obj._state.adding = False
            return
        current = Appointment.objects.get(pk=obj.pk)
        if obj.status == Appointment.Status.CANCELLED:
            services.cancel_appointment(appointment=current, by=request.user)
            return
        if obj.starts_at != current.starts_at:
            services.reschedule_appointment(appointment=current, starts_at=obj.starts_at, by=request.user)
        if obj.status != current.status:
            services.set_appointment_status(appointment=current, status=obj.status)

    @action(description=_("Cancel and tell the patient"))
    def cancel_and_tell(self, request, queryset):
        for appointment in queryset.exclude(status__in=Appointment.INACTIVE):
            services.cancel_appointment(appointment=appointment, by=request.user)
        messages.success(request, _("Cancelled; the patients are told on WhatsApp."))


# --- the walk-in queue ------------------------------------------------------------------
@admin.register(QueueTicket, site=clinic_site)
class QueueTicketAdmin(ModelAdmin):
    list_display = ("day", "number", "status", "source", "joined_at", "called_at", "served_at", "alert_sent_at")
    list_filter = ("status", "source", "day")
    actions = ["skip"]
    fields = ("patient",)
    autocomplete_fields = ("patient",)

    def has_change_permission(self, request, obj=None):
        return False  # numbers move through the desk page (call next) and the skip action

    def save_model(self, request, obj, form, change):
        ticket = services.join_queue(patient=obj.patient, source=QueueTicket.Source.DESK)
        obj.pk, obj.day, obj.number = ticket.pk, ticket.day, ticket.number
        obj._state.adding = False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": _("Call the next number on the queue desk page.")}
        return super().changelist_view(request, extra_context)

    @action(description=_("Skip (patient not here)"), permissions=["view"])
    def skip(self, request, queryset):
        for ticket in queryset:
            services.skip_ticket(ticket=ticket, by=request.user)


# --- reminders --------------------------------------------------------------------------
class ReminderForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=capfirst(Reminder._meta.get_field("kind").verbose_name),
        choices=[(k, label) for k, label in Reminder.Kind.choices if k != Reminder.Kind.APPOINTMENT],
        widget=UnfoldAdminSelectWidget,  # a plain select is unstyled among Unfold's fields
    )

    class Meta:
        model = Reminder
        fields = ("patient", "kind", "due_on", "note")

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise ValidationError(_("The due date has passed."))
        return due_on


@admin.register(Reminder, site=clinic_site)
class ReminderAdmin(ModelAdmin):
    form = ReminderForm
    list_display = ("patient", "kind", "due_on", "send_at", "status", "delivery", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("patient__name", "patient__wa_id")
    autocomplete_fields = ("patient",)

    def has_change_permission(self, request, obj=None):
        return False  # a sent reminder is history; schedule a new one instead

    def save_model(self, request, obj, form, change):
        reminder = services.schedule_reminder(
            patient=obj.patient, kind=obj.kind, due_on=obj.due_on, note=obj.note, by=request.user
        )
        obj.pk, obj.send_at = reminder.pk, reminder.send_at
        obj._state.adding = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("patient")

    @admin.display(description=_("delivery"))
    def delivery(self, reminder):
        """The WhatsApp status of the message that carried it (sent, delivered, read, failed)."""
        if reminder.message_id is None:
            return "—"
        from messaging.models import Message

        message = Message.objects.filter(pk=reminder.message_id).only("status", "error_title").first()
        if message is None:
            return "—"
        return format_html(
            "{}{}", message.get_status_display(), f" ({message.error_title})" if message.error_title else ""
        )


# --- settings (one row) -------------------------------------------------------------------
class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = ClinicSettings
        fields = (
            "queue_alert_ahead", "queue_board_token", "reminder_hour", "quiet_hours_start", "quiet_hours_end",
            "booking_lead_minutes", "sheets_enabled", "spreadsheet_id",
        )  # fmt: skip

    def clean_queue_board_token(self):
        token = self.cleaned_data["queue_board_token"].strip()
        if len(token) < 16:  # anyone who guesses the address sees the board
            raise ValidationError(_("Use at least 16 characters, so the screen's address cannot be guessed."))
        return token

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sheets_enabled") and not (cleaned.get("spreadsheet_id") or "").strip():
            self.add_error("spreadsheet_id", _("Give the spreadsheet's ID to mirror to, or turn the mirror off."))
        return cleaned


@admin.register(ClinicSettings, site=clinic_site)
class ClinicSettingsAdmin(ModelAdmin):
    form = ClinicSettingsForm
    fieldsets = (
        (_("Queue"), {"fields": ("queue_alert_ahead", "queue_board_token", "board_link")}),
        (_("Reminders"), {"fields": ("reminder_hour", "quiet_hours_start", "quiet_hours_end")}),
        (_("Bookings"), {"fields": ("booking_lead_minutes",)}),
        (_("Google Sheets mirror"), {"fields": ("sheets_enabled", "spreadsheet_id")}),
    )
    readonly_fields = ("board_link",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return HttpResponseRedirect(
            reverse("admin:frontdesk_clinicsettings_change", args=[selectors.clinic_settings().pk])
        )

    @admin.display(description=_("waiting-room screen"))
    def board_link(self, obj):
        url = f"{reverse('frontdesk:queue-board')}?key={obj.queue_board_token}"
        note = _("Open it in the waiting-room screen's browser; it works until the key is changed.")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" class="{}">{}</a><br><small>{}</small>',
            url,
            "text-primary-600 underline dark:text-primary-500",
            url,
            note,
        )


# --- staff accounts (the clinic's own; our staff's accounts on the operator site keep Django's page) ---------
ROLE_LABELS = {"manager": _("Manager"), "receptionist": _("Receptionist"), "nurse": _("Nurse")}


def _role_choices():
    # No role preselected: a receptionist's account must not become a manager's by an unread default.
    return [("", "---------"), *((role, ROLE_LABELS.get(role, role)) for role in services.ROLE_PERMISSIONS)]


class StaffAddForm(UserCreationForm):
    """Email, name, role and password: the account can sign in at once (staff status and role set for the manager)."""

    role = forms.ChoiceField(label=_("Role"), choices=_role_choices, widget=UnfoldAdminSelectWidget)
    first_name = forms.CharField(label=_("Name"), max_length=150, required=False, widget=UnfoldAdminTextInputWidget)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)
        field_classes = {"username": forms.EmailField}
        labels = {"username": _("Email (used to sign in)")}
        widgets = {"username": UnfoldAdminEmailInputWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = ""
        self.fields.pop("usable_password", None)  # clinic staff always sign in with a password


class StaffChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roles = self.fields.get("groups")
        if roles is not None:
            roles.label = _("Role")
            roles.help_text = _("What this person may do here; untick Active instead of deleting someone who left.")
            roles.queryset = roles.queryset.filter(name__in=services.ROLE_PERMISSIONS)
            roles.label_from_instance = lambda group: ROLE_LABELS.get(group.name, group.name)
            roles.widget = UnfoldAdminCheckboxSelectMultipleWidget(choices=roles.choices)


class ClinicStaffAdmin(UserAdmin, ModelAdmin):
    """Managers add and edit their clinic's staff by role; superuser status and single permissions stay out of reach."""

    form = StaffChangeForm
    add_form = StaffAddForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "first_name", "roles", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Sign-in and role"), {"fields": ("is_active", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "first_name", "role", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=_("Role"))
    def roles(self, user):
        return ", ".join(str(ROLE_LABELS.get(group.name, group.name)) for group in user.groups.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        user = services.create_staff_member(
            email=data["username"], password=data["password1"], role=data["role"], first_name=data["first_name"]
        )
        obj.pk, obj._state.adding = user.pk, False

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)


ROLE_DESCRIPTIONS = {
    "manager": _("Everything at the clinic, with clinic settings, staff accounts, statistics and the activity log."),
    "receptionist": _(
        "Patients, appointments, the queue, reminders, doctors' hours, closures, FAQs and the inbox, with replies."
    ),
    "nurse": _(
        "Patients, appointments, the queue, reminders, doctors' hours, closures and FAQs; reads the inbox only."
    ),
}


class ClinicRoleAdmin(ModelAdmin):
    """The clinic's three roles, explained; what each may do is set in code (services.ROLE_PERMISSIONS)."""

    list_display = ("role", "description", "members")
    list_display_links = None

    def get_queryset(self, request):
        return super().get_queryset(request).filter(name__in=services.ROLE_PERMISSIONS)

    @admin.display(description=_("Role"))
    def role(self, group):
        return ROLE_LABELS.get(group.name, group.name)

    @admin.display(description=_("May do"))
    def description(self, group):
        return ROLE_DESCRIPTIONS.get(group.name, "")

    @admin.display(description=_("Staff"))
    def members(self, group):
        return group.user_set.filter(is_active=True).count()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a hand-edited role would drift from the others' and from ensure_staff_roles()

    def has_delete_permission(self, request, obj=None):
        return False


clinic_site.unregister(User)
clinic_site.register(User, ClinicStaffAdmin)
clinic_site.unregister(Group)
clinic_site.register(Group, ClinicRoleAdmin)
