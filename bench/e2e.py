"""End-to-end latency, patient message in → reply at the Graph stand-in, at a steady rate (not a test).

    d=$(mktemp -d) && SMARTCLINIC_DATA_DIR=$d .venv/bin/python bench/e2e.py [--rate 5] [--seconds 20]; rm -rf $d

The real stack on an embedded PostgreSQL and Redis: our app under gunicorn (as bench/webhook_ack.py
serves it), a `celery worker` (production Celery settings) and the Graph stand-in in this process.
Each message comes from a new patient (so each reply is known by its recipient) and is POSTed,
signed, at a fixed rate; the latency runs from the POST to the stand-in accepting the first reply
to that patient. Prints `name value unit` lines.
"""

import argparse
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.webhook_ack import PHONE_NUMBER_ID, SECRET, free_port, percentile, serve, stop  # noqa: E402

TEXTS = ["What are your opening hours?", "幾點開門？", "How much is a consultation?", "Where is the clinic?"]


def start_django(settings_module: str = "smartclinic.settings") -> dict[str, str]:
    """Embedded PostgreSQL and Redis in SMARTCLINIC_DATA_DIR, migrated, with one clinic; returns the env."""
    os.environ.setdefault("SMARTCLINIC_DATA_DIR", tempfile.mkdtemp(prefix="smartclinic-bench-"))
    os.environ.update(
        WHATSAPP_APP_SECRET=SECRET, DEBUG="false", LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE=settings_module
    )
    import django

    django.setup()  # starts the embedded PostgreSQL and Redis and exports their URLs
    from django.core.management import call_command
    from django.db import connection

    from clinics.services import create_clinic

    call_command("migrate", verbosity=0, interactive=False)
    create_clinic(
        slug="bench", name_en="Bench", name_zh="測試", phone_number_id=PHONE_NUMBER_ID, display_phone="+852 3000 0000"
    )
    connection.close()
    return dict(os.environ)


def start_worker(env: dict[str, str], concurrency: int = 2) -> subprocess.Popen:
    from smartclinic.celery import app

    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "smartclinic", "worker", "--pool", "prefork"]
        + ["--concurrency", str(concurrency), "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the Celery worker exited at start")
        if app.control.inspect(timeout=0.5).ping():
            return process
    process.kill()
    raise SystemExit("the Celery worker did not answer a ping")


def signed_text(wa_id: str, text: str, wamid: str) -> tuple[bytes, str]:
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "85230000000", "phone_number_id": PHONE_NUMBER_ID},
                            "contacts": [{"profile": {"name": "Bench Patient"}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": wamid,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    raw = json.dumps(body).encode()
    return raw, "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()


def steady_load(url: str, *, rate: float, seconds: float, prefix: str) -> dict[str, float]:
    """POST one new patient's message every 1/rate s; returns wa_id → time.time() of the POST."""
    posted: dict[str, float] = {}
    lock = threading.Lock()

    def post(wa_id: str, raw: bytes, signature: str) -> None:
        with lock:
            posted[wa_id] = time.time()
        response = httpx.post(
            url, content=raw, headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature}, timeout=10
        )
        if response.status_code != 200:
            raise SystemExit(f"webhook answered {response.status_code}")

    threads = []
    start = time.monotonic()
    for n in range(int(rate * seconds)):
        wait = start + n / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        wa_id = f"{prefix}{n:05d}"
        raw, signature = signed_text(wa_id, TEXTS[n % len(TEXTS)], f"wamid.e2e.{wa_id}")
        thread = threading.Thread(target=post, args=(wa_id, raw, signature))  # the rate must not wait on an answer
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return posted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=5.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    from smartclinic.standins.graph import GraphStandIn

    graph = GraphStandIn().start()
    os.environ["WHATSAPP_GRAPH_URL"] = graph.url
    env = start_django()
    processes: list[subprocess.Popen] = []
    try:
        port = free_port()
        processes.append(serve("smartclinic.wsgi", port, env))
        processes.append(start_worker(env))
        url = f"http://127.0.0.1:{port}/webhooks/whatsapp"
        steady_load(url, rate=2, seconds=3, prefix="85260")  # warm-up: imports, connections, first tasks
        graph.reset()
        posted = steady_load(url, rate=args.rate, seconds=args.seconds, prefix="85261")
        deadline = time.monotonic() + 60
        first: dict[str, float] = {}
        while time.monotonic() < deadline and len(first) < len(posted):
            for entry in graph.sent_to():
                wa_id = entry["to"].lstrip("+")
                if wa_id in posted and wa_id not in first:
                    first[wa_id] = entry["at"]
            time.sleep(0.2)
        latencies = [(first[wa_id] - posted[wa_id]) * 1000 for wa_id in first]
        if len(latencies) < len(posted):
            print(f"# {len(posted) - len(latencies)} of {len(posted)} messages got no reply within 60 s", flush=True)
        print(f"e2e_rate {args.rate:g} messages/s")
        print(f"e2e_p50 {percentile(latencies, 0.50):.0f} ms")
        print(f"e2e_p95 {percentile(latencies, 0.95):.0f} ms")
        print(f"e2e_p99 {percentile(latencies, 0.99):.0f} ms")
        print(f"e2e_replied {len(latencies) / len(posted) * 100:.1f} %")
        # Below the offered rate means the worker queues up and the latency is mostly waiting.
        span = max(first.values()) - min(posted.values()) if first else 0
        print(f"e2e_reply_throughput {len(first) / span if span else 0:.2f} replies/s")
    finally:
        stop(processes)
        graph.stop()


if __name__ == "__main__":
    main()
