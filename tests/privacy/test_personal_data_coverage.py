"""Every model of the clinic apps is declared in a personal_data.py, and none that looks personal is missed."""

from django.apps import apps

from clinics.frontdesk.models import Patient
from privacy.walker import declared_without_personal_data, holdings

CLINIC_APPS = ("frontdesk", "messaging")
PERSONAL_FIELD_HINTS = ("wa_id", "name", "text", "phone", "body", "file", "payload", "patient_ref", "values", "path")
# Models whose look-alike fields hold no patient's data, and why.
LOOKS_PERSONAL_BUT_IS_NOT = {
    "frontdesk.Doctor": "the clinic's doctors (name_en/name_zh), not patients",
    "frontdesk.ClinicSettings": "the clinic's own settings (spreadsheet id)",
}


def _looks_personal(model) -> bool:
    for field in model._meta.get_fields():
        if getattr(field, "related_model", None) is Patient and field.concrete:
            return True
        if field.concrete and any(hint in field.name for hint in PERSONAL_FIELD_HINTS):
            return True
    return False


def test_every_model_of_the_clinic_apps_is_declared_one_way_or_the_other():
    held = {h.model._meta.label for h in holdings()}
    declared = declared_without_personal_data()
    undeclared = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in CLINIC_APPS and model._meta.label not in held | declared
    ]
    assert undeclared == [], f"declare these in the app's personal_data.py: {undeclared}"


def test_no_model_that_looks_personal_is_declared_as_holding_none():
    suspicious = [
        label
        for label in declared_without_personal_data()
        if _looks_personal(apps.get_model(label)) and label not in LOOKS_PERSONAL_BUT_IS_NOT
    ]
    assert suspicious == []


def test_the_patient_is_the_one_subject_and_comes_last():
    found = holdings()
    assert [h for h in found if h.is_subject] == [found[-1]]
    assert found[-1].model is Patient
