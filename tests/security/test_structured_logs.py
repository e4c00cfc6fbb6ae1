"""Logs are JSON lines with no phone number, HKID or message text in them."""

import ast
import io
import json
import logging

import pytest

from tests.conftest import ROOT

PHONE = "+852 9123 4567"
WA_ID = "85291234567"
HKID = "A123456(7)"


@pytest.fixture
def log_lines():
    """The real configured handler (settings.LOGGING), writing into a buffer for the test."""
    handler = next(h for h in logging.getLogger().handlers if h.filters)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        handler.setStream(previous)


def test_a_log_line_is_json_with_level_and_logger(log_lines):
    logging.getLogger("smartclinic.test").warning("send_failed")
    [line] = log_lines()
    assert line["levelname"] == "WARNING" and line["name"] == "smartclinic.test" and line["message"] == "send_failed"


def test_phone_numbers_and_hkids_in_the_message_are_redacted(log_lines):
    logging.getLogger("smartclinic.test").warning("patient %s (%s) wa_id=%s asked", PHONE, HKID, WA_ID)
    [line] = log_lines()
    text = json.dumps(line, ensure_ascii=False)
    for secret in (PHONE, WA_ID, HKID, "9123"):
        assert secret not in text
    assert line["message"] == "patient [number] ([id]) wa_id=[number] asked"


def test_phone_numbers_in_structured_extras_are_redacted(log_lines):
    logging.getLogger("smartclinic.test").warning(
        "inbound", extra={"wa_id": WA_ID, "reason": f"bad number {PHONE}", "from": int(WA_ID), "schema": "alpha"}
    )
    [line] = log_lines()
    text = json.dumps(line, ensure_ascii=False)
    assert WA_ID not in text and "9123" not in text
    assert line["wa_id"] == line["from"] == "[number]"
    assert line["schema"] == "alpha"


LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
CONTENT_NAMES = {"text", "body", "content", "caption"}
APPS = ["smartclinic", "clinics", "messaging", "privacy"]


def logger_calls_with_message_content(source: str, filename: str) -> list[str]:
    """Every logger call whose arguments mention `.text`, `.body`, `text`, `body` (message content)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LOG_METHODS
            and "log" in ast.unparse(node.func.value).lower()
        ):
            continue
        for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
            for inner in ast.walk(argument):
                name = inner.attr if isinstance(inner, ast.Attribute) else getattr(inner, "id", None)
                if name in CONTENT_NAMES:
                    found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_logger_call_formats_message_text_or_a_request_body():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found += logger_calls_with_message_content(
                    path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
                )
    assert found == []


def test_the_guard_catches_a_logged_message_text_or_body():
    sample = (
        "logger.info('inbound %s', message.text)\nlog.warning('raw', extra={'b': request.body})\nlogger.info('ok')\n"
    )
    assert len(logger_calls_with_message_content(sample, "sample.py")) == 2
