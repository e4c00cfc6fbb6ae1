from django.contrib.auth.models import User
from django.utils import translation
from django_tenants.utils import schema_exists, tenant_context

from clinics.admin import ClinicForm
from clinics.models import Clinic, WhatsAppNumber


def _new_clinic(**changes) -> dict:
    return {"slug": "gamma", "name_en": "Gamma Clinic", "name_zh": "伽瑪診所", "phone_number_id": "555000111",
            "display_phone": "+852 3000 0003", "manager_email": "", **changes}  # fmt: skip


def _lifecycle(clinic: Clinic, **changes) -> dict:
    return {"name_en": clinic.name_en, "name_zh": clinic.name_zh, "status": "active", "left_on": "",
            "retention_days": clinic.retention_days, "legal_hold_reason": "", **changes}  # fmt: skip


def test_our_staff_add_a_clinic_from_the_admin_with_its_number_and_manager(operator_client):
    response = operator_client.post("/admin/clinics/clinic/add/", _new_clinic(manager_email="boss@gamma.test"))
    assert response.status_code == 200 and response.context["created"] is not None
    assert schema_exists("gamma")
    assert WhatsAppNumber.objects.get(phone_number_id="555000111").clinic.slug == "gamma"
    with tenant_context(Clinic.objects.get(slug="gamma")):
        assert User.objects.get(username="boss@gamma.test").groups.filter(name="manager").exists()


def test_the_generated_manager_password_is_shown_once_on_the_page(operator_client):
    page = operator_client.post("/admin/clinics/clinic/add/", _new_clinic()).content.decode()
    assert "manager@gamma.localhost" in page and 'data-testid="manager-password"' in page


def test_a_clinic_that_cannot_be_created_is_explained_on_the_form(alpha, operator_client):
    response = operator_client.post("/admin/clinics/clinic/add/", _new_clinic(slug="alpha"))
    assert "already exists" in str(response.context["form"].non_field_errors())
    assert not WhatsAppNumber.objects.filter(phone_number_id="555000111").exists()


def test_a_clinic_marked_as_left_without_a_date_is_asked_for_the_date(alpha):
    form = ClinicForm(data=_lifecycle(alpha, status="left"), instance=alpha)
    assert not form.is_valid()
    assert "Give the day the clinic left" in str(form.errors["left_on"])
    assert "clinic_left_has_date" not in str(form.errors)


def test_a_legal_hold_needs_its_reason(alpha):
    form = ClinicForm(data=_lifecycle(alpha, legal_hold="on"), instance=alpha)
    assert not form.is_valid() and "legal_hold_reason" in form.errors


def test_a_clinic_cannot_be_deleted_from_the_admin_bypassing_the_retention_purge(alpha, operator_client):
    assert operator_client.get(f"/admin/clinics/clinic/{alpha.pk}/delete/").status_code == 403
    assert Clinic.objects.filter(slug="alpha").exists()


def test_the_clinic_page_names_its_schema_and_web_addresses_in_the_staffs_language(alpha, operator_client):
    operator_client.cookies["django_language"] = "zh-hant"
    with translation.override("en"):  # the request switches this thread to Chinese; put it back after
        page = operator_client.get(f"/admin/clinics/clinic/{alpha.pk}/change/").content.decode()
    assert "資料庫 schema" in page and "主要網址" in page
    assert "Schema name" not in page and "Is primary" not in page
