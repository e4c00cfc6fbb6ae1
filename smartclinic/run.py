"""`make run`: the whole product in one process tree.

Starts (or attaches to) the embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL
are set, starts the local Graph API and Sheets stand-ins unless real endpoints are
configured, migrates, seeds the demo clinics into an empty database, then supervises the
web server, a Celery worker and Celery beat. One Ctrl-C or SIGTERM stops everything; a
child that dies takes the rest down with it, so nothing is left half-running.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def _die_with_parent() -> None:
    # Linux: a child gets SIGTERM if the supervisor itself is killed, so none is orphaned.
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _spawn(name: str, argv: list[str]) -> subprocess.Popen:
    print(f"[run] starting {name}: {' '.join(argv)}", flush=True)
    return subprocess.Popen(argv, cwd=BASE_DIR, preexec_fn=_die_with_parent)  # noqa: S603, PLW1509


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)  # noqa: S603


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartclinic.settings")
    from smartclinic.localservices import ensure_local_services

    ensure_local_services()
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("SITE_PORT", port)  # links mailed to staff open this server
    standins: dict = {}
    if not os.environ.get("WHATSAPP_GRAPH_URL") and not os.environ.get("SHEETS_BASE_URL"):
        # No real Meta / Google endpoints configured: the local stand-ins play them.
        from smartclinic.standins.__main__ import environment, start_all

        standins = start_all(
            host="127.0.0.1",
            webhook_url=f"http://127.0.0.1:{port}/webhooks/whatsapp",
            app_secret=os.environ.get("WHATSAPP_APP_SECRET", "dev-app-secret"),
        )
        urls = environment(standins)
        os.environ["WHATSAPP_GRAPH_URL"] = urls["WHATSAPP_GRAPH_URL"]
        os.environ["SHEETS_BASE_URL"] = urls["SHEETS_BASE_URL"]
        print(f"[run] Graph API stand-in {urls['WHATSAPP_GRAPH_URL']}, Sheets stand-in {urls['SHEETS_BASE_URL']}")

    _manage("migrate", "--noinput", "-v", "0")
    _manage("seed_demo", "--if-empty")

    children = {
        "web": _spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "smartclinic.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                os.environ.get("WEB_CONCURRENCY", "3"),
                "--access-logfile",
                "-",
                "--timeout",
                "60",
            ],
        ),
        "worker": _spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "smartclinic",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                os.environ.get("WORKER_CONCURRENCY", "2"),
            ],
        ),
        "beat": _spawn("beat", [str(BIN / "celery"), "-A", "smartclinic", "beat", "--loglevel", "INFO"]),
    }
    print(f"[run] SmartClinic on http://127.0.0.1:{port}/ (operator admin: http://localhost:{port}/admin/)", flush=True)

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"[run] {name} exited with {child.returncode}; stopping everything", flush=True)
                stopping, exit_code = True, 1
        time.sleep(0.5)

    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    for standin in standins.values():
        standin.stop()
    print("[run] stopped", flush=True)
    return exit_code  # embedded PostgreSQL and Redis stop at exit with their last handle


if __name__ == "__main__":
    sys.exit(main())
