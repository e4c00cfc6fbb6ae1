"""Clinic admin: patients, doctors and their hours, closures, FAQs, staff and activity."""

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from clinics.frontdesk.models import FAQ, Closure, Doctor, Patient, WorkingHours
from smartclinic.admin_sites import clinic_site, register_accounts_and_activity

register_accounts_and_activity(clinic_site)


@admin.register(Patient, site=clinic_site)
class PatientAdmin(ModelAdmin):
    list_display = ("__str__", "wa_id", "language", "opted_out_at", "created_at")
    search_fields = ("name", "wa_id")
    list_filter = ("language",)


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
