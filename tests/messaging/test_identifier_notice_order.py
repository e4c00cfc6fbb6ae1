"""The "please don't send your ID number" notice: in the language of the message, after the collection notice."""

from django.db import connection

from messaging.models import Message
from messaging.texts import TEXTS
from privacy.services import collection_notice
from tests.messaging.messaging_factories import PatientFactory, envelope, post_webhook, text_message


def _replies() -> list[str]:
    return list(Message.objects.filter(direction="out").order_by("pk").values_list("text", flat=True))


def _write(text, django_capture_on_commit_callbacks, wamid="wamid.ID1"):
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(envelope(messages=[text_message(text, wamid=wamid)]))


def test_a_new_patient_writing_english_is_warned_in_english_after_the_collection_notice(
    alpha, graph_standin, eager_tasks, django_capture_on_commit_callbacks
):
    _write("my HKID is A1234563", django_capture_on_commit_callbacks)
    connection.set_tenant(alpha)
    replies = _replies()
    assert replies[0] == collection_notice(language="en")
    assert replies[-1] == TEXTS["identifiers_masked"]["en"]
    assert TEXTS["identifiers_masked"]["zh-Hant-HK"] not in replies


def test_a_chinese_message_gets_the_chinese_warning_even_from_an_english_patient(
    alpha, graph_standin, eager_tasks, django_capture_on_commit_callbacks
):
    connection.set_tenant(alpha)
    PatientFactory(wa_id="85291234567", language="en")
    connection.set_schema_to_public()
    _write("我身份證係A1234563", django_capture_on_commit_callbacks)
    connection.set_tenant(alpha)
    assert _replies()[-1] == TEXTS["identifiers_masked"]["zh-Hant-HK"]


def test_a_bare_number_is_answered_in_the_language_the_patient_already_uses(
    alpha, graph_standin, eager_tasks, django_capture_on_commit_callbacks
):
    connection.set_tenant(alpha)
    PatientFactory(wa_id="85291234567", language="zh-Hant-HK")
    connection.set_schema_to_public()
    _write("A1234563", django_capture_on_commit_callbacks)
    connection.set_tenant(alpha)
    assert _replies()[-1] == TEXTS["identifiers_masked"]["zh-Hant-HK"]


def test_the_warning_reaches_only_the_clinic_the_patient_wrote_to(
    alpha, beta, graph_standin, eager_tasks, django_capture_on_commit_callbacks
):
    _write("my HKID is A1234563", django_capture_on_commit_callbacks)
    connection.set_tenant(beta)
    assert not Message.objects.exists()
