import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from clinics.frontdesk.models import Patient
from clinics.models import Clinic, Domain, WhatsAppNumber
from clinics.services import create_clinic


def _make(slug="gamma", phone_number_id="555000111", **extra):
    return create_clinic(
        slug=slug,
        name_en="Gamma Clinic",
        name_zh="伽瑪診所",
        phone_number_id=phone_number_id,
        display_phone="+852 3000 0003",
        **extra,
    )


def test_create_clinic_builds_schema_domain_number_and_manager(db):
    new = _make(manager_email="boss@gamma.test", manager_password="a-long-password-1")

    assert schema_exists("gamma")
    assert Domain.objects.get(tenant=new.clinic).domain == "gamma.localhost"
    assert WhatsAppNumber.objects.get(phone_number_id="555000111").clinic == new.clinic
    with tenant_context(new.clinic):
        from django.contrib.auth.models import User

        manager = User.objects.get(username="boss@gamma.test")
        assert manager.is_staff and manager.groups.filter(name="manager").exists()
        assert Patient.objects.count() == 0
    assert new.manager_password is None


def test_create_clinic_generates_a_manager_password_when_none_is_given(db):
    new = _make()
    assert new.manager_email == "manager@gamma.localhost"
    assert len(new.manager_password) >= 12


def test_duplicate_slug_is_refused_before_anything_is_created(alpha):
    with pytest.raises(ValidationError, match="slug 'alpha' already exists"):
        _make(slug="alpha", phone_number_id="555000222")
    assert not WhatsAppNumber.objects.filter(phone_number_id="555000222").exists()


def test_duplicate_phone_number_id_is_refused_and_leaves_no_schema(alpha):
    with pytest.raises(ValidationError, match="already belongs to a clinic"):
        _make(slug="delta", phone_number_id="106540352242922")
    assert not schema_exists("delta")
    assert not Clinic.objects.filter(slug="delta").exists()


def test_a_slug_that_cannot_name_a_schema_is_refused(db):
    with pytest.raises(ValidationError):
        _make(slug="Bad-Slug")
    assert not schema_exists("Bad-Slug")


def test_create_clinic_command_exits_with_a_clear_message_on_duplicates(alpha):
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_clinic",
            "--slug", "alpha", "--name-en", "A", "--name-zh", "甲",
            "--phone-number-id", "999000999", "--display-phone", "+852 3000 0009",
        )  # fmt: skip
    assert connection.schema_name == "public"


def test_a_manager_email_that_is_not_an_email_is_refused_and_leaves_no_schema(db):
    with pytest.raises(ValidationError, match="valid email address"):
        _make(manager_email="notanemail", manager_password="a-long-password-1")
    assert not schema_exists("gamma")
    assert not Clinic.objects.filter(slug="gamma").exists()


def test_a_weak_manager_password_is_refused_and_leaves_no_schema(db):
    with pytest.raises(ValidationError, match="too short"):
        _make(manager_email="boss@gamma.test", manager_password="123")
    assert not schema_exists("gamma")
    assert not WhatsAppNumber.objects.filter(phone_number_id="555000111").exists()


def test_create_clinic_command_explains_a_weak_manager_password(db):
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "create_clinic",
            "--slug", "gamma", "--name-en", "G", "--name-zh", "伽",
            "--phone-number-id", "555000111", "--display-phone", "+852 3000 0003",
            "--manager-email", "boss@gamma.test", "--manager-password", "123",
        )  # fmt: skip
    assert not schema_exists("gamma")
