"""Refusal and extension notices reach the requester on the clinic's WhatsApp number (s.19(2), s.21)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from messaging.models import Message
from privacy import services
from privacy.models import PrivacyRequest, RefusalLogEntry
from tests.clinics.frontdesk.frontdesk_factories import PatientFactory, chatting_patient
from tests.privacy.privacy_factories import make_request

NUMBER = "85291234567"


def _outbound(clinic) -> list[Message]:
    with tenant_context(clinic):
        return list(Message.objects.filter(direction=Message.Direction.OUT, conversation__patient__wa_id=NUMBER))


def test_a_refusal_sent_on_whatsapp_reaches_the_patient_as_the_notice_in_their_language(alpha):
    with tenant_context(alpha):
        chatting_patient(wa_id=NUMBER, language="en")
    request = make_request(alpha, wa_id=NUMBER, language="en", source=PrivacyRequest.Source.WHATSAPP)
    entry = services.refuse(
        request=request, reason="identity", particulars="The number did not match.", send_on_whatsapp=True, actor="ops"
    )
    [notice] = _outbound(alpha)
    assert notice.kind == Message.Kind.TEXT and notice.text == entry.notice_text
    assert request.reference in notice.text and "pcpd.org.hk" in notice.text
    assert request.events.filter(action="notice_sent").exists()


def test_outside_the_24_hour_window_the_extension_goes_as_the_approved_template(alpha):
    with tenant_context(alpha):
        PatientFactory(wa_id=NUMBER, language="zh-Hant-HK")  # wrote long ago: no open window
    request = make_request(alpha, wa_id=NUMBER)
    services.extend_deadline(
        request=request,
        reason="病歷存放於\n外判倉庫",
        extended_due_on=request.due_on + timedelta(days=14),
        send_on_whatsapp=True,
    )
    [notice] = _outbound(alpha)
    assert notice.kind == Message.Kind.TEMPLATE
    template = notice.payload["template"]
    assert template["name"] == "privacy_request_extended" and template["language"]["code"] == "zh_HK"
    parameters = [p["text"] for p in template["components"][0]["parameters"]]
    assert parameters == [request.reference, "病歷存放於 外判倉庫", (request.due_on + timedelta(days=14)).isoformat()]
    request.refresh_from_db()
    assert request.extension_notice_sent_on is not None


def test_a_requester_who_never_wrote_to_the_clinic_cannot_be_sent_the_notice_and_nothing_changes(alpha):
    request = make_request(alpha, wa_id=NUMBER)
    with pytest.raises(ValidationError, match="never written"):
        services.refuse(request=request, reason="identity", particulars="No match.", send_on_whatsapp=True, actor="x")
    request.refresh_from_db()
    assert request.is_open and not RefusalLogEntry.objects.exists()
    assert _outbound(alpha) == []


def test_a_notice_given_another_way_sends_nothing_on_whatsapp(alpha):
    with tenant_context(alpha):
        chatting_patient(wa_id=NUMBER)
    request = make_request(alpha, wa_id=NUMBER)
    services.refuse(request=request, reason="repeated", particulars="Third in a month.", actor="ops")
    assert _outbound(alpha) == []


def test_staff_send_the_extension_notice_from_the_operator_admin(alpha, operator_client):
    with tenant_context(alpha):
        chatting_patient(wa_id=NUMBER, language="en")
    request = make_request(alpha, wa_id=NUMBER, language="en")
    response = operator_client.post(
        f"/admin/privacy/privacyrequest/{request.pk}/extend/",
        {
            "reason": "the records are in off-site storage",
            "extended_due_on": (request.due_on + timedelta(days=14)).isoformat(),
            "send_on_whatsapp": "on",
        },
    )
    assert response.status_code == 302
    [notice] = _outbound(alpha)
    assert "off-site storage" in notice.text and request.reference in notice.text


def test_the_admin_explains_why_a_notice_cannot_go_on_whatsapp(alpha, operator_client):
    request = make_request(alpha, wa_id=NUMBER, language="en")
    response = operator_client.post(
        f"/admin/privacy/privacyrequest/{request.pk}/refuse/",
        {"reason": "identity", "particulars": "No match.", "send_on_whatsapp": "on"},
    )
    assert response.status_code == 200
    assert "never written" in response.content.decode()
    request.refresh_from_db()
    assert request.is_open
