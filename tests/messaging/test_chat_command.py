"""`manage.py chat`: patient lines in, through webhook, task, assistant, Graph client and stand-in; replies out."""

import io
import json
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection

from messaging.models import Message
from tests.conftest import ROOT, test_database_env

SHAPES = {
    "text": {"type", "text"},
    "buttons": {"type", "text", "buttons"},
    "list": {"type", "text", "button", "sections"},
    "template": {"type", "name", "language"},
}


def chat(monkeypatch, lines: list[str], *args: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()
    call_command("chat", *args, stdout=out)
    connection.set_schema_to_public()
    return out.getvalue()


def test_an_unknown_clinic_is_a_clear_error(db, monkeypatch):
    with pytest.raises(CommandError, match="Unknown clinic 'gamma'"):
        chat(monkeypatch, ["hi"], "--clinic", "gamma", "--from", "85291234567")


def test_json_mode_prints_one_object_per_line_and_a_list_press_reaches_the_assistant(committed_db, monkeypatch):
    cache.clear()
    lines = ["Hi, I'd like to book", "你好", "#list:book:doctor:1"]
    output = chat(monkeypatch, lines, "--clinic", "alpha", "--from", "85291234567", "--json")

    objects = [json.loads(line) for line in output.splitlines()]
    assert [o["in"] for o in objects] == lines
    replies = [reply for o in objects for reply in o["replies"]]
    assert replies, "the assistant answered nothing"
    for reply in replies:
        assert set(reply) == SHAPES[reply["type"]]
    connection.set_schema("alpha")
    assert Message.objects.filter(direction="out", status="sent").count() == len(replies)
    pressed = Message.objects.get(direction="in", kind="interactive")
    assert pressed.payload["interactive"]["list_reply"]["id"] == "book:doctor:1"
    connection.set_schema("beta")
    assert not Message.objects.exists()


def test_json_mode_keeps_stdout_to_the_replies_when_staff_are_emailed_meanwhile(committed_db):
    """As a separate process, the way a script uses it: the staff alert mail goes to stderr, not among the JSON."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "chat", "--clinic", "alpha", "--from", "85290001111", "--json"],
        input="I want to talk to a real person\nhello?\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=test_database_env(),
        timeout=120,
        check=True,
    )
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["in"] for o in objects] == ["I want to talk to a real person", "hello?"]
    assert "Subject:" in result.stderr  # the managers' alert was sent, and printed where it belongs
