"""`make run`'s supervisor on a fresh data folder: healthy, shared with manage.py, no orphans."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
            return json.loads(response.read())
    except OSError:
        return None


def _processes_using(folder: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "environ"]):
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
            environ = process.info["environ"] or {}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if folder in cmdline or environ.get("SMARTCLINIC_DATA_DIR") == folder:
            found.append(process)
    return found


@pytest.fixture
def supervisor(tmp_path):
    folder = str(tmp_path / "data")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SMARTCLINIC_DATA_DIR=folder, PORT=str(port), WEB_CONCURRENCY="1", WORKER_CONCURRENCY="1")
    process = subprocess.Popen([sys.executable, "-m", "smartclinic.run"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while _health(port) is None:
        assert process.poll() is None, "the supervisor exited before it was healthy"
        assert time.monotonic() < deadline, "not healthy within 2 minutes"
        time.sleep(0.5)
    yield process, port, folder, env
    if process.poll() is None:
        process.kill()


def test_make_run_serves_health_migrated_demo_data_and_stops_everything_on_sigterm(supervisor):
    process, port, folder, env = supervisor
    assert _health(port) == {"status": "ok", "database": "ok", "broker": "ok"}

    # A manage.py command alongside uses the same database and leaves the servers running.
    shell = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from clinics.models import Clinic; print(Clinic.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shell.stdout.strip().splitlines()[-1] == "2"
    assert _health(port)["status"] == "ok"

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=45) == 0
    time.sleep(1)
    assert _processes_using(folder) == []
