"""Hypothesis throws thousands of hostile bodies at the webhook and the understanding functions.

The webhook must never answer 5xx and never store a row without a valid signature; signed but
malformed bodies get 400 or 200. `understand` (both the entry point and the offline engine) must
never raise. The whole file stays well under a minute.
"""

import datetime
import json

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from messaging.assistant import engine, offline
from messaging.assistant.reading import INTENTS, Reading
from messaging.models import WebhookEvent
from tests.messaging.messaging_factories import ALPHA_NUMBER, BETA_NUMBER, envelope, sign

FUZZ = hypothesis_settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Unicode at its worst: emoji with joiners, CJK, right-to-left, combining marks, NUL, lone surrogates.
nasty_text = st.lists(
    st.one_of(
        st.characters(codec=None),
        st.sampled_from(["\x00", "\ud800", "\u202e", "\u0301", "👨‍⚕️", "聽日", "\ufeff", "\\u0000", '"', "\\"]),
    ),
    max_size=300,
).map("".join)
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    nasty_text,
)
json_value = st.recursive(
    json_leaf,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(nasty_text, children, max_size=5),
    max_leaves=12,
)


@st.composite
def mangled_envelopes(draw) -> dict:
    """A WhatsApp envelope with any one part swapped for junk of another type."""
    message = {
        "from": draw(st.one_of(st.just("85291234567"), json_value)),
        "id": draw(st.one_of(st.text(min_size=1, max_size=80), json_value)),
        "timestamp": draw(st.one_of(st.just("1735718400"), json_value)),
        "type": draw(st.one_of(st.sampled_from(["text", "image", "interactive", "button", "reaction"]), json_value)),
        "text": draw(st.one_of(st.fixed_dictionaries({"body": nasty_text}), json_value)),
        "interactive": draw(json_value),
        "image": draw(json_value),
    }
    status = {
        "id": draw(st.one_of(st.text(max_size=40), json_value)),
        "status": draw(st.one_of(st.sampled_from(["sent", "delivered", "read", "failed"]), json_value)),
        "timestamp": draw(st.one_of(st.just("1735718400"), json_value)),
        "recipient_id": draw(json_value),
        "errors": draw(json_value),
    }
    body = envelope(
        messages=[message] if draw(st.booleans()) else [],
        statuses=[status] if draw(st.booleans()) else [],
        phone_number_id=draw(st.one_of(st.sampled_from([ALPHA_NUMBER, BETA_NUMBER, "1"]), json_value)),
        name=draw(st.one_of(nasty_text, json_value)),
        wa_id=draw(st.one_of(st.just("85291234567"), json_value)),
    )
    # And sometimes junk higher up the tree.
    where = draw(st.sampled_from(["none", "object", "entry", "changes", "value", "metadata"]))
    junk = draw(json_value)
    change = body["entry"][0]["changes"][0]
    if where == "object":
        body["object"] = junk
    elif where == "entry":
        body["entry"] = junk
    elif where == "changes":
        body["entry"][0]["changes"] = junk
    elif where == "value":
        change["value"] = junk
    elif where == "metadata":
        change["value"]["metadata"] = junk
    return body


def stored_rows(*clinics) -> int:
    """WebhookEvent rows in these clinics' schemas, in one query."""
    table = WebhookEvent._meta.db_table
    counts = " + ".join(f'(SELECT count(*) FROM "{clinic.schema_name}"."{table}")' for clinic in clinics)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return cursor.fetchone()[0]


@pytest.fixture
def webhook(db):
    client = Client(HTTP_HOST=django_settings.BASE_DOMAIN)

    def post(body: bytes, signature: str | None):
        headers = {} if signature is None else {"HTTP_X_HUB_SIGNATURE_256": signature}
        return client.post("/webhooks/whatsapp", data=body, content_type="application/json", **headers)

    return post


signatures = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.just("sha256="),
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).map(lambda h: "sha256=" + h),
)
raw_bodies = st.one_of(
    st.binary(max_size=2000),
    json_value.map(lambda v: json.dumps(v).encode()),
    mangled_envelopes().map(lambda v: json.dumps(v).encode()),
)


@FUZZ
@given(body=raw_bodies, signature=signatures)
def test_unsigned_or_badly_signed_bodies_are_refused_and_store_nothing(webhook, alpha, beta, body, signature):
    before = stored_rows(alpha, beta)
    response = webhook(body, signature)
    assert response.status_code in {403, 400, 413}
    assert stored_rows(alpha, beta) == before


@hypothesis_settings(FUZZ, max_examples=150)
@given(body=raw_bodies)
def test_a_body_signed_with_another_secret_is_refused(webhook, alpha, beta, body):
    before = stored_rows(alpha, beta)
    assert webhook(body, sign(body, secret="not-our-app-secret")).status_code == 403
    assert stored_rows(alpha, beta) == before


@FUZZ
@given(body=st.one_of(st.binary(max_size=2000), json_value.map(lambda v: json.dumps(v).encode())))
def test_signed_garbage_gets_400_or_200_never_5xx(webhook, alpha, body):
    assert webhook(body, sign(body)).status_code in {200, 400}


@hypothesis_settings(FUZZ, max_examples=200)
@given(body=mangled_envelopes(), ensure_ascii=st.booleans())
def test_signed_mangled_envelopes_get_400_or_200_never_5xx(webhook, alpha, body, ensure_ascii):
    raw = json.dumps(body, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
    assert webhook(raw, sign(raw)).status_code in {200, 400}


@hypothesis_settings(FUZZ, max_examples=150)
@given(text=nasty_text, wamid=nasty_text.filter(bool))
def test_signed_well_formed_messages_with_any_text_are_stored(webhook, alpha, text, wamid):
    body = json.dumps(
        envelope(
            messages=[{"from": "85291234567", "id": wamid, "timestamp": "1", "type": "text", "text": {"body": text}}]
        )
    ).encode()
    assert webhook(body, sign(body)).status_code == 200


def test_an_oversized_body_is_refused_without_reading_it(webhook, alpha, beta):
    body = b"{" + b" " * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b"}"
    assert webhook(body, sign(body)).status_code == 413
    assert stored_rows(alpha, beta) == 0


def test_deeply_nested_signed_json_is_refused_not_crashed(webhook, alpha):
    body = b"[" * 100_000 + b"]" * 100_000
    assert webhook(body, sign(body)).status_code == 400


TODAY = datetime.date(2025, 1, 3)
DOCTORS = ("Dr Chan Tai Man 陳大文醫生", "Dr Lee Ka Yan 李家欣醫生")
any_argument = st.one_of(nasty_text, json_value)


def assert_is_a_reading(reading) -> None:
    assert isinstance(reading, Reading)
    assert reading.intent in INTENTS


@hypothesis_settings(max_examples=2000, deadline=None)
@given(text=nasty_text, expecting=st.one_of(st.none(), nasty_text))
def test_offline_understand_never_raises(text, expecting):
    assert_is_a_reading(offline.understand(text, today=TODAY, doctors=DOCTORS, expecting=expecting))


@hypothesis_settings(max_examples=150, deadline=None)
@given(text=any_argument)
def test_understand_with_vertex_unreachable_never_raises(text):
    # Vertex configured but nothing listens: every call must fall back to the offline engine.
    unreachable = {"VERTEX_PROJECT": "fuzz-project", "VERTEX_BASE_URL": "http://127.0.0.1:9"}
    with override_settings(**unreachable, VERTEX_TIMEOUT_SECONDS=0.2):
        context = engine.ClinicContext(today=TODAY, doctors=DOCTORS)
        assert_is_a_reading(engine.understand(text, clinic_context=context))


@hypothesis_settings(max_examples=500, deadline=None)
@given(text=any_argument)
def test_understand_offline_never_raises_on_any_type(text):
    context = engine.ClinicContext(today=TODAY, doctors=DOCTORS, expecting="date")
    assert_is_a_reading(engine.understand(text, clinic_context=context, engine="offline"))
