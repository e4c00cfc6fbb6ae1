"""Webhook ack latency under load, next to a bare Django view (HMAC + one INSERT) on the same server setup.

    python bench/webhook_ack.py [--requests 3000] [--clients 8]

Starts a throw-away embedded PostgreSQL and Redis, creates a clinic owning the fixtures'
phone_number_id, then serves our app and bench/bare_wsgi.py each with gunicorn (4 sync
workers) and has 8 concurrent clients POST signed fixture bodies (each with a fresh message
id, so every request INSERTs). Prints `name value unit` lines and `webhook_ack_p99_ratio X`.
No Celery worker runs: the processing tasks wait in Redis, as they would behind a busy worker.
"""

import argparse
import hashlib
import hmac
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "../shared/fixtures/whatsapp"
SECRET = "bench-app-secret"
PHONE_NUMBER_ID = "106540352242922"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bodies(count: int) -> list[tuple[bytes, str]]:
    """Signed fixture bodies whose message and status ids are new each time."""
    templates = [json.loads(path.read_text()) for path in sorted(FIXTURES.resolve().glob("*.json"))]
    signed = []
    for index in range(count):
        envelope = json.loads(json.dumps(templates[index % len(templates)]))
        for entry in envelope["entry"]:
            for change in entry["changes"]:
                for item in change["value"].get("messages", []) + change["value"].get("statuses", []):
                    item["id"] = f"wamid.bench.{uuid.uuid4().hex}"
        raw = json.dumps(envelope).encode()
        signed.append((raw, "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()))
    return signed


def serve(app: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/webhooks/whatsapp", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{app} did not start")


def load(url: str, signed: list[tuple[bytes, str]], clients: int) -> tuple[list[float], float]:
    """Latencies in ms of every POST, and the wall time, with `clients` threads sharing the bodies."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    chunks = [signed[i::clients] for i in range(clients)]

    def client(chunk):
        mine = []
        with httpx.Client(timeout=10) as http:
            for raw, signature in chunk:
                start = time.perf_counter()
                response = http.post(
                    url, content=raw, headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature}
                )
                mine.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    errors.append(response.status_code)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. HTTP {errors[0]} from {url}")
    return latencies, wall


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000)[int(share * 1000) - 1]


def compare(urls: dict[str, str], requests: int, clients: int, rounds: int = 3) -> dict[str, tuple[list[float], float]]:
    """Latencies and wall time per server, the load split into `rounds` that alternate between them.

    Both servers run side by side all along (same gunicorn config, same database, same clients);
    alternating, and flipping the order each round, spreads the drift of a shared 2-core machine
    (other processes, PostgreSQL's checkpoints, a worker's backlog) over both.
    """
    for url in urls.values():
        load(url, bodies(200), clients)  # warm up connections and code paths
    results: dict[str, tuple[list[float], float]] = {name: ([], 0.0) for name in urls}
    names = list(urls)
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            latencies, wall = load(urls[name], bodies(requests // rounds), clients)
            results[name] = (results[name][0] + latencies, results[name][1] + wall)
    return results


def stop(processes: list[subprocess.Popen]) -> None:
    """Terminate the benchmark's servers and workers; kill what does not stop in 15 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="smartclinic-bench-")
    os.environ.update(
        SMARTCLINIC_DATA_DIR=data_dir,
        WHATSAPP_APP_SECRET=SECRET,
        DEBUG="false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="smartclinic.settings",
    )
    sys.path.insert(0, str(ROOT))
    servers: list[subprocess.Popen] = []
    try:
        import django

        django.setup()  # starts the embedded PostgreSQL and Redis and exports their URLs
        from django.core.management import call_command
        from django.db import connection

        from clinics.services import create_clinic

        call_command("migrate", verbosity=0, interactive=False)
        create_clinic(
            slug="bench",
            name_en="Bench",
            name_zh="測試",
            phone_number_id=PHONE_NUMBER_ID,
            display_phone="+852 3000 0000",
        )
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_event (id bigserial PRIMARY KEY, key text UNIQUE, payload jsonb)")
        connection.close()

        env = dict(os.environ)
        ours, bare = free_port(), free_port()
        servers.append(serve("smartclinic.wsgi", ours, env))
        servers.append(serve("bench.bare_wsgi:application", bare, env))

        urls = {
            name: f"http://127.0.0.1:{port}/webhooks/whatsapp"
            for name, port in (("bare_view", bare), ("webhook_ack", ours))
        }
        results = compare(urls, args.requests, args.clients)
        for name, (latencies, wall) in results.items():
            print(f"{name}_p50 {percentile(latencies, 0.50):.2f} ms")
            print(f"{name}_p99 {percentile(latencies, 0.99):.2f} ms")
            print(f"{name}_throughput {len(latencies) / wall:.0f} requests/s")
        ratio = percentile(results["webhook_ack"][0], 0.99) / percentile(results["bare_view"][0], 0.99)
        print(f"webhook_ack_p99_ratio {ratio:.2f}")
    finally:
        stop(servers)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
