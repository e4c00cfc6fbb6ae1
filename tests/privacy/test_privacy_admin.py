from datetime import timedelta

from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Patient
from privacy import services
from privacy.models import PrivacyRequest, RefusalLogEntry
from tests.privacy.privacy_factories import make_patient, make_request


def test_the_operator_list_shows_days_left_with_overdue_first(alpha, operator_client):
    today = timezone.localdate()
    later = make_request(alpha, received_on=today - timedelta(days=5))
    overdue = make_request(alpha, received_on=today - timedelta(days=50))
    page = operator_client.get("/admin/privacy/privacyrequest/").content.decode()
    assert page.index(overdue.reference) < page.index(later.reference)
    assert ">-10<" in page and ">35<" in page


def test_staff_verify_then_refuse_through_the_admin(alpha, operator_client):
    request = make_request(alpha, language="en")
    base = f"/admin/privacy/privacyrequest/{request.pk}"
    assert operator_client.post(f"{base}/verify/", {"method": "staff_check"}).status_code == 302
    response = operator_client.post(f"{base}/refuse/", {"reason": "repeated", "particulars": "Third in a month."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "refused" and request.verified_by.username == "ops"
    assert RefusalLogEntry.objects.get().recorded_by == "ops"


def test_staff_apply_a_correction_seeing_the_value_before(alpha, operator_client):
    make_patient(alpha, name="Chan Tai Mann")
    request = make_request(alpha, kind="correction", language="en")
    base = f"/admin/privacy/privacyrequest/{request.pk}"
    operator_client.post(f"{base}/verify/", {"method": "whatsapp_number_match"})
    assert "Chan Tai Mann" in operator_client.get(f"{base}/correct/").content.decode()
    operator_client.post(f"{base}/correct/", {"name": "Chan Tai Man", "language": "zh-Hant-HK"})
    with tenant_context(alpha):
        assert Patient.objects.get().name == "Chan Tai Man"
    assert PrivacyRequest.objects.get().status == "completed"


def test_staff_record_a_request_received_by_email(alpha, operator_client):
    response = operator_client.post(
        "/admin/privacy/privacyrequest/add/",
        {"clinic": alpha.pk, "kind": "access", "wa_id": "+852 9123 4567", "language": "en", "details": "by email",
         "received_on": timezone.localdate().isoformat(), "fee_charged": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    request = PrivacyRequest.objects.get()
    assert request.reference.startswith("PR-") and request.wa_id == "85291234567" and request.source == "staff"


def test_upcoming_deletions_are_listed_for_our_staff(alpha, operator_client):
    alpha.status, alpha.left_on = "left", timezone.localdate() - timedelta(days=80)
    alpha.save()
    page = operator_client.get("/admin/privacy/upcomingdeletion/").content.decode()
    assert "alpha" in page and ">10<" in page


def test_the_operator_list_puts_open_requests_before_closed_ones_and_uses_the_extended_date(alpha, operator_client):
    today = timezone.localdate()
    closed = make_request(alpha, received_on=today - timedelta(days=60))
    services.withdraw(request=closed)
    extended = make_request(alpha, received_on=today - timedelta(days=30))
    services.extend_deadline(
        request=extended,
        reason="Records in the archive",
        notice_sent_on=today,
        extended_due_on=today + timedelta(days=30),
    )
    plain = make_request(alpha, received_on=today - timedelta(days=20))
    page = operator_client.get("/admin/privacy/privacyrequest/").content.decode()
    assert page.index(plain.reference) < page.index(extended.reference) < page.index(closed.reference)


def _new_request_form(alpha, wa_id: str) -> dict:
    return {"clinic": alpha.pk, "kind": "access", "wa_id": wa_id, "language": "en", "details": "",
            "received_on": timezone.localdate().isoformat(), "fee_charged": "0"}  # fmt: skip


def test_a_number_that_is_not_a_phone_number_is_explained_on_the_form(alpha, operator_client):
    response = operator_client.post("/admin/privacy/privacyrequest/add/", _new_request_form(alpha, "hello"))
    assert response.status_code == 200
    assert "8 to 15 digits" in str(response.context["adminform"].form.errors["wa_id"])
    assert not PrivacyRequest.objects.exists()


def test_a_hong_kong_number_typed_without_852_is_recorded_with_it(alpha, operator_client):
    response = operator_client.post("/admin/privacy/privacyrequest/add/", _new_request_form(alpha, "9123 4567"))
    assert response.status_code == 302
    assert PrivacyRequest.objects.get().wa_id == "85291234567"


def test_an_action_page_draws_its_fields_like_the_rest_of_the_admin_and_links_back(alpha, operator_client):
    request = make_request(alpha, language="en")
    page = operator_client.get(f"/admin/privacy/privacyrequest/{request.pk}/extend/").content.decode()
    textarea = page[page.index("<textarea") : page.index(">", page.index("<textarea"))]
    assert "border" in textarea  # Unfold's classes; a bare textarea has no visible edge there
    assert f'href="/admin/privacy/privacyrequest/{request.pk}/change/"' in page


def test_a_request_page_offers_no_save_buttons_since_every_field_is_read_only(alpha, operator_client):
    request = make_request(alpha, language="en")
    page = operator_client.get(f"/admin/privacy/privacyrequest/{request.pk}/change/").content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert f"/admin/privacy/privacyrequest/{request.pk}/verify/" in page


def test_a_requests_history_names_each_step_in_the_staffs_language(alpha, operator_client):
    request = make_request(alpha, language="en")
    services.verify_identity(request=request, method="staff_check")
    operator_client.cookies["django_language"] = "zh-hant"
    with translation.override("en"):  # the request switches this thread to Chinese; put it back after
        page = operator_client.get(f"/admin/privacy/privacyrequest/{request.pk}/change/").content.decode()
    assert "已核實身份" in page
    assert "identity_verified" not in page and f"{request.pk} received" not in page
