"""The embedded servers: PostgreSQL starts on a machine too busy for pgserver's patience, and Redis
goes away with the process that started it, even while clients are connected."""

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


# pgserver kills `pg_ctl start` after 10 s; here the first start is given 10 ms instead, as on a
# machine so busy that PostgreSQL is still starting when pg_ctl is killed.
_START_ON_A_BUSY_MACHINE = """
import os, psycopg
import pgserver.postgres_server as pgserver_module
real_pg_ctl = pgserver_module.pg_ctl
starts = []
def impatient_pg_ctl(args, *, timeout=None, **options):
    if args[-1] == "start":
        starts.append(1)
        if len(starts) == 1:
            timeout = 0.01
    return real_pg_ctl(args, timeout=timeout, **options)
pgserver_module.pg_ctl = impatient_pg_ctl
from smartclinic.localservices import ensure_local_services
ensure_local_services()
with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
    print(connection.execute("SELECT 40 + 2").fetchone()[0], len(starts))
"""


def _environment(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SMARTCLINIC_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    return env


def _processes_with(text: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().split(")")[-1].split()[0]
            except OSError:
                continue
            if text in cmdline and state != "Z":
                pids.append(int(entry.name))
    return pids


def test_postgresql_still_starting_when_pg_ctl_gives_up_is_waited_for_and_used(tmp_path):
    env = _environment(tmp_path)
    env["REDIS_URL"] = "redis://unused"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _START_ON_A_BUSY_MACHINE],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["42", "1"]  # one start, then attached to the server it started
    assert _processes_with(f"postgres -D {tmp_path / 'pg'}") == []  # and stopped with its last handle


def _redis_pids_on(socket: str) -> list[int]:
    return _processes_with(socket)


def test_the_embedded_redis_stops_when_its_process_exits_with_clients_still_connected(tmp_path):
    env = _environment(tmp_path)
    env["DATABASE_URL"] = "postgresql://unused@/unused"
    subprocess.run([sys.executable, "-c", _START_AND_LEAVE_A_CLIENT], cwd=ROOT, env=env, check=True, timeout=60)  # noqa: S603
    socket = json.loads((tmp_path / "redis" / "redis.db.settings").read_text())["unixsocket"]
    deadline = time.monotonic() + 10
    while _redis_pids_on(socket) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _redis_pids_on(socket) == []
    assert (tmp_path / "redis" / "redis.db").exists()  # it saved on the way out
