"""The embedded Redis goes away with the process that started it, even while clients are connected."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Starts the embedded Redis the way every command does, keeps a second client connected (as
# Celery's and the cache's pools do), and exits without closing it.
_START_AND_LEAVE_A_CLIENT = """
import os, redis
from smartclinic.localservices import ensure_local_services
ensure_local_services()
client = redis.Redis.from_url(os.environ["REDIS_URL"])
client.set("left", "connected")
"""


def _redis_pids_on(socket: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().split(")")[-1].split()[0]
            except OSError:
                continue
            if socket in cmdline and state != "Z":
                pids.append(int(entry.name))
    return pids


def test_the_embedded_redis_stops_when_its_process_exits_with_clients_still_connected(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SMARTCLINIC_DATA_DIR=str(tmp_path), DATABASE_URL="postgresql://unused@/unused")
    subprocess.run([sys.executable, "-c", _START_AND_LEAVE_A_CLIENT], cwd=ROOT, env=env, check=True, timeout=60)  # noqa: S603
    socket = json.loads((tmp_path / "redis" / "redis.db.settings").read_text())["unixsocket"]
    deadline = time.monotonic() + 10
    while _redis_pids_on(socket) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _redis_pids_on(socket) == []
    assert (tmp_path / "redis" / "redis.db").exists()  # it saved on the way out
