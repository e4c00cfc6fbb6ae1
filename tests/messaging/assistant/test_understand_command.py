"""`manage.py understand`: stdin lines in, one JSON reading per line out."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clinics.frontdesk.models import Doctor

ROOT = Path(__file__).resolve().parents[3]
FIELDS = {"intent", "language", "date", "time", "part_of_day", "doctor", "confidence", "engine"}


def run(text, **options):
    out = io.StringIO()
    call_command("understand", stdin=io.StringIO(text), stdout=out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_line_becomes_one_json_reading_with_every_field():
    readings = run("我想攞籌\nwhat time do you open\n\n聽日下午三點半\n", engine="offline")
    assert len(readings) == 4
    assert all(set(r) == FIELDS for r in readings)
    assert [r["intent"] for r in readings] == ["join_queue", "clinic_info", "unknown", "book_appointment"]
    assert readings[3]["time"] == "15:30"
    assert readings[3]["date"] == (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    assert {r["engine"] for r in readings} == {"offline"}


def test_with_a_clinic_its_doctors_are_recognised(alpha, beta):
    from django.db import connection

    connection.set_tenant(alpha)
    Doctor.objects.create(name_en="Dr Chan Tai Man", name_zh="陳大文醫生")
    connection.set_schema_to_public()
    assert run("想約陳醫生\n", clinic="alpha")[0]["doctor"] == "Dr Chan Tai Man 陳大文醫生"
    assert run("想約陳醫生\n", clinic="beta")[0]["doctor"] is None  # beta has no such doctor


def test_an_unknown_clinic_is_an_error(db):
    with pytest.raises(CommandError):
        run("hi\n", clinic="nosuch")


def test_it_runs_as_a_plain_process_without_make_run(tmp_path):
    env = {**os.environ, "SMARTCLINIC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "understand"],
        input="book 聽日 下午 3pm 可唔可以\nSTOP\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    readings = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["intent"], r["time"]) for r in readings] == [("book_appointment", "15:00"), ("opt_out", None)]
