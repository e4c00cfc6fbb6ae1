import io
import json
import re
import time
import zipfile
from datetime import UTC, datetime

import pytest
from django.core import signing
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Reminder
from privacy import services
from privacy.exports import patient_export
from privacy.models import DisclosureLog, PrivacyRequest
from tests.privacy.privacy_factories import make_request, verified
from tests.privacy.privacy_scenario import (
    IMAGE,
    build_patient_story,
    private_media,  # noqa: F401
)

ALL_CATEGORIES = {
    "patient", "appointments", "reminders", "queue", "sheets_outbox", "messages", "attachments",
    "messages_as_received", "conversations", "disclosures",
}  # fmt: skip

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def story(alpha, beta):
    build_patient_story(alpha, wa_id="85291234567", name="Chan Tai Man", words="my knee hurts since Monday")
    build_patient_story(beta, wa_id="85291234567", name="Beta Person", words="beta private words")
    return alpha


def _open(export) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export.zip_bytes))


def test_the_export_has_every_category_in_data_json(story):
    export = patient_export(clinic=story, wa_id="85291234567", language="en", reference="PR-TEST")
    data = json.loads(_open(export).read("data.json"))
    assert set(data["categories"]) == ALL_CATEGORIES
    texts = [m["text"] for m in data["categories"]["messages"]["records"]]
    assert "my knee hurts since Monday" in texts
    assert data["categories"]["patient"]["records"][0]["name"] == "Chan Tai Man"
    assert data["categories"]["reminders"]["records"][0]["note"] == "bring your X-ray"


def test_the_export_never_holds_the_other_clinics_data(story):
    archive = _open(patient_export(clinic=story, wa_id="85291234567", language="en", reference="PR-TEST"))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"beta private words" not in everything and b"Beta Person" not in everything


def test_the_export_carries_the_image_decrypted(story):
    archive = _open(patient_export(clinic=story, wa_id="85291234567", language="en", reference="PR-TEST"))
    media = [name for name in archive.namelist() if name.startswith("media/attachments/")]
    assert len(media) == 1 and archive.read(media[0]) == IMAGE + b"85291234567"


@pytest.mark.parametrize(
    ("language", "title", "heading"),
    [
        ("en", "Your personal data held by Alpha Clinic", "Appointments"),
        ("zh-Hant-HK", "阿爾法診所持有的你的個人資料", "預約"),
    ],
)
def test_index_html_is_readable_in_the_requests_language(story, language, title, heading):
    html = (
        _open(patient_export(clinic=story, wa_id="85291234567", language=language, reference="PR-TEST"))
        .read("index.html")
        .decode()
    )
    assert title in html and f"<h2>{heading}</h2>" in html and "my knee hurts since Monday" in html


def test_carrying_out_an_access_request_records_the_response_date_and_keeps_the_copy_encrypted(story):
    request = verified(make_request(story, kind="access", language="en"))
    services.carry_out(request=request, actor="ops")
    request.refresh_from_db()
    assert request.status == "completed" and request.responded_on is not None
    with open(request.export_file, "rb") as handle:
        assert not handle.read().startswith(b"PK")  # encrypted at rest
    assert zipfile.ZipFile(io.BytesIO(services.export_bytes(request=request))).namelist()


def test_staff_download_the_copy_through_the_signed_link_and_it_is_logged_as_a_disclosure(story, operator_client):
    request = verified(make_request(story, kind="access", language="en"))
    services.carry_out(request=request, actor="ops")
    response = operator_client.get(services.export_link(request=request))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"data.json" in response.content
    assert DisclosureLog.objects.filter(request=request).exists()
    assert "export_downloaded" in request.events.values_list("action", flat=True)


def test_the_link_stops_working_when_it_expires(story, operator_client, settings):
    request = verified(make_request(story, kind="access", language="en"))
    services.carry_out(request=request, actor="ops")

    class LongAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - settings.PRIVACY_EXPORT_LINK_MAX_AGE - 60)

    old = LongAgo(salt=services.EXPORT_SALT).sign(str(request.pk))
    assert operator_client.get(f"/privacy/exports/{old}").status_code == 404
    forged = services.export_link(request=request)[:-3] + "abc"
    assert operator_client.get(forged).status_code == 404


def test_the_link_is_useless_without_a_staff_login_or_on_a_clinic_domain(story, alpha_manager_client):
    from django.test import Client

    request = verified(make_request(story, kind="access", language="en"))
    services.carry_out(request=request, actor="ops")
    link = services.export_link(request=request)
    assert Client(HTTP_HOST="localhost").get(link).status_code == 404
    assert alpha_manager_client.get(link).status_code == 404
    assert PrivacyRequest.objects.get(pk=request.pk).events.filter(action="export_downloaded").count() == 0


def _index(clinic, language) -> str:
    export = patient_export(clinic=clinic, wa_id="85291234567", language=language, reference="PR-TEST")
    return _open(export).read("index.html").decode()


def test_the_chinese_index_html_shows_labels_and_choices_in_chinese_not_raw_codes(story):
    with tenant_context(story):
        Reminder.objects.update(kind="follow_up")
    html = _index(story, "zh-Hant-HK")
    assert "<th>WhatsApp 號碼</th>" in html and "<td>覆診</td>" in html
    assert "follow_up" not in html and "whatsapp_number" not in html and "booked_via" not in html
    assert not re.search(r"<th>[a-z_]+</th>", html)  # no raw key is left as a label
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html)  # no ISO timestamps
    assert "年" in html  # dates as a Hong Kong reader writes them


def test_every_exported_value_keeps_its_own_row_in_index_html(story):
    html = _index(story, "zh-Hant-HK")
    reminder = html.split("<h2>提示訊息</h2>")[1].split("<h2>")[0]
    assert reminder.count("<th>") == 6 and "<th>預定發送時間</th>" in reminder and "<th>實際發送時間</th>" in reminder


def test_index_html_shows_times_in_hong_kong_time(story):
    with tenant_context(story):
        reminder = Reminder.objects.get()
        reminder.sent_at = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Hong Kong
        reminder.save()
    assert "09:30" in _index(story, "zh-Hant-HK") and "09:30" not in _index(story, "en").replace("9:30", "")


def test_the_english_index_html_uses_the_english_labels(story):
    html = _index(story, "en")
    assert "<th>WhatsApp number</th>" in html and "<td>Appointment</td>" in html
    assert "<td>Sent</td>" in html and "<td>sent</td>" not in html


def test_data_json_keeps_the_machine_readable_codes(story):
    with tenant_context(story):
        Reminder.objects.update(kind="follow_up")
    data = json.loads(_open(patient_export(clinic=story, wa_id="85291234567", language="zh-Hant-HK",
                                           reference="PR-TEST")).read("data.json"))  # fmt: skip
    reminder = data["categories"]["reminders"]["records"][0]
    assert reminder["kind"] == "follow_up" and reminder["status"] == "sent" and "T" in reminder["send_at"]
