from datetime import timedelta

from django.test import Client
from django.utils import timezone

from privacy.models import PolicyVersion
from privacy.selectors import current_policy
from privacy.services import collection_notice
from tests.conftest import clinic_client


def test_the_seeded_policy_covers_what_why_who_retention_rights_stop_and_contact(db):
    policy = current_policy()
    assert policy.version == "1.0"
    for words in ("WhatsApp number", "Meta", "Google", "data processor", "section 18", "section 22", "STOP",
                  "90 days", "privacy@"):  # fmt: skip
        assert words in policy.body_en
    for words in ("WhatsApp 號碼", "Meta", "Google", "第18條", "第22條", "停止", "90 日"):
        assert words in policy.body_zh


def test_the_policy_is_served_on_the_public_site_and_on_each_clinic_domain(alpha, beta):
    for client in (Client(HTTP_HOST="localhost"), clinic_client("alpha"), clinic_client("beta")):
        response = client.get("/privacy", {"lang": "en"})
        assert response.status_code == 200
        assert "Version 1.0" in response.content.decode() and "last updated" in response.content.decode()


def test_the_policy_language_follows_lang_then_accept_language(db):
    client = Client(HTTP_HOST="localhost")
    assert "私隱政策" in client.get("/privacy", {"lang": "zh"}).content.decode()
    assert "私隱政策" in client.get("/privacy", HTTP_ACCEPT_LANGUAGE="zh-HK,zh;q=0.9").content.decode()
    assert "Privacy policy" in client.get("/privacy", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()


def test_a_new_version_takes_over_on_its_date_and_the_old_one_is_kept(db):
    today = timezone.localdate()
    PolicyVersion.objects.create(version="2.0", effective_on=today + timedelta(days=5), body_en="v2", body_zh="二")
    assert current_policy().version == "1.0"
    PolicyVersion.objects.create(version="1.1", effective_on=today, body_en="v1.1 text", body_zh="一點一")
    assert current_policy().version == "1.1"
    assert PolicyVersion.objects.count() == 3
    assert "v1.1 text" in Client(HTTP_HOST="localhost").get("/privacy", {"lang": "en"}).content.decode()


def test_a_published_version_cannot_be_edited_in_the_operator_admin(operator_client):
    policy = current_policy()
    response = operator_client.post(
        f"/admin/privacy/policyversion/{policy.pk}/change/",
        {"version": "1.0", "effective_on": policy.effective_on, "body_en": "changed", "body_zh": "改"},
    )
    assert response.status_code in (200, 302)
    policy.refresh_from_db()
    assert policy.body_en != "changed"


def test_the_collection_notice_names_the_clinic_the_processors_the_rights_stop_and_link(alpha):
    english = collection_notice(language="en", clinic=alpha)
    chinese = collection_notice(language="zh-Hant-HK", clinic=alpha)
    assert "Alpha Clinic" in english and "Meta" in english and "Google" in english and "STOP" in english
    assert "https://alpha.localhost/privacy?v=1.0" in english
    assert "阿爾法診所" in chinese and "停止" in chinese and "查閱或更正" in chinese


def test_the_collection_notice_is_bilingual_with_the_patients_language_first(alpha):
    chinese_first = collection_notice(language="zh-Hant-HK", clinic=alpha)
    english_first = collection_notice(language="en", clinic=alpha)
    assert chinese_first.index("阿爾法診所") < chinese_first.index("Alpha Clinic")
    assert english_first.index("Alpha Clinic") < english_first.index("阿爾法診所")
