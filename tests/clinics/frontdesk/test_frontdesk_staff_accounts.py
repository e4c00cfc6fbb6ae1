"""The manager's staff page: accounts by role that can sign in at once, nothing beyond the clinic's roles."""

from django.contrib.auth.models import Group, User
from django.utils import translation

from tests.conftest import admin_login, clinic_client, in_clinic

NEW = {"username": "reception@alpha.test", "first_name": "Ada", "role": "receptionist",
       "password1": "Front-desk-2026", "password2": "Front-desk-2026"}  # fmt: skip


def test_a_receptionist_added_by_the_manager_can_sign_in_at_once(alpha, alpha_manager_client):
    assert alpha_manager_client.post("/admin/auth/user/add/", NEW).status_code == 302
    assert admin_login(clinic_client("alpha"), "reception@alpha.test", "Front-desk-2026")


def test_the_new_account_gets_the_chosen_role_and_nothing_more(alpha, alpha_manager_client):
    alpha_manager_client.post("/admin/auth/user/add/", NEW)
    user = in_clinic(alpha, lambda: User.objects.prefetch_related("groups").get(username="reception@alpha.test"))
    assert [group.name for group in user.groups.all()] == ["receptionist"]
    assert user.is_staff and not user.is_superuser and user.first_name == "Ada"


def test_the_staff_page_offers_roles_but_no_superuser_status_or_single_permissions(alpha, alpha_manager_client):
    pk = in_clinic(alpha, lambda: User.objects.get(username="manager@alpha.test").pk)
    page = alpha_manager_client.get(f"/admin/auth/user/{pk}/change/").content.decode()
    assert 'name="groups"' in page and "Receptionist" in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page


def test_posting_superuser_status_anyway_changes_nothing(alpha, alpha_manager_client):
    alpha_manager_client.post("/admin/auth/user/add/", NEW)
    pk = in_clinic(alpha, lambda: User.objects.get(username="reception@alpha.test").pk)
    form = {"username": "reception@alpha.test", "is_active": "on", "groups": [], "is_superuser": "on",
            "first_name": "", "last_name": "", "email": ""}  # fmt: skip
    assert alpha_manager_client.post(f"/admin/auth/user/{pk}/change/", form).status_code == 302
    assert not in_clinic(alpha, lambda: User.objects.get(pk=pk).is_superuser)


def test_another_clinic_does_not_see_the_new_account(alpha, beta, alpha_manager_client):
    alpha_manager_client.post("/admin/auth/user/add/", NEW)
    beta_client = clinic_client("beta")
    assert admin_login(beta_client, "manager@beta.test")
    assert "reception@alpha.test" not in beta_client.get("/admin/auth/user/").content.decode()


def test_a_new_account_without_a_chosen_role_is_refused(alpha, alpha_manager_client):
    response = alpha_manager_client.post("/admin/auth/user/add/", {**NEW, "role": ""})
    assert response.status_code == 200 and "role" in response.context["adminform"].form.errors
    assert not in_clinic(alpha, User.objects.filter(username="reception@alpha.test").exists)


def test_a_page_beyond_a_receptionists_role_says_why_and_leads_back(alpha, alpha_manager_client):
    alpha_manager_client.post("/admin/auth/user/add/", NEW)
    receptionist = clinic_client("alpha")
    assert admin_login(receptionist, "reception@alpha.test", "Front-desk-2026")
    response = receptionist.get("/admin/statistics/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "ask your clinic's manager" in page and 'href="/admin/"' in page


def test_the_roles_page_explains_each_role_in_the_staffs_language(alpha, alpha_manager_client):
    alpha_manager_client.cookies["django_language"] = "zh-hant"
    with translation.override("en"):  # the request switches this thread to Chinese; put it back after
        page = alpha_manager_client.get("/admin/auth/group/").content.decode()
    assert "接待員" in page and "護士" in page and ">receptionist<" not in page


def test_roles_cannot_be_edited_by_hand_so_they_stay_as_the_code_defines_them(alpha, alpha_manager_client):
    role = in_clinic(alpha, lambda: Group.objects.get(name="receptionist").pk)
    assert alpha_manager_client.get("/admin/auth/group/add/").status_code == 403
    response = alpha_manager_client.post(f"/admin/auth/group/{role}/change/", {"name": "boss", "permissions": []})
    assert response.status_code == 403
    assert in_clinic(alpha, lambda: Group.objects.get(pk=role).name) == "receptionist"
