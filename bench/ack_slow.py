"""Webhook ack latency while the assistant takes 2 s per message, next to the bare view (not a test).

    d=$(mktemp -d) && SMARTCLINIC_DATA_DIR=$d .venv/bin/python bench/ack_slow.py [--requests 3000]; rm -rf $d

The same load as bench/webhook_ack.py (its functions, imported), but a `celery worker` runs with
bench/settings_slow.py, whose bench-only app adds BENCH_ASSISTANT_DELAY (2 s) to every assistant
turn, so the worker is busy and backed up for the whole run. The web processes are the same as in
production. Prints `name value unit` lines ending with `webhook_ack_p99_ratio_slow_assistant X`.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.e2e import start_django, start_worker  # noqa: E402
from bench.webhook_ack import bodies, compare, free_port, load, percentile, serve, stop  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    from smartclinic.standins.graph import GraphStandIn

    graph = GraphStandIn().start()  # media downloads and replies of the fixtures' messages land here
    os.environ["WHATSAPP_GRAPH_URL"] = graph.url
    env = start_django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_event (id bigserial PRIMARY KEY, key text UNIQUE, payload jsonb)")
    connection.close()
    processes: list[subprocess.Popen] = []
    try:
        ours, bare = free_port(), free_port()
        processes.append(serve("smartclinic.wsgi", ours, env))
        processes.append(serve("bench.bare_wsgi:application", bare, env))
        worker_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_slow", "BENCH_ASSISTANT_DELAY": "2"}
        processes.append(start_worker(worker_env))
        urls = {
            name: f"http://127.0.0.1:{port}/webhooks/whatsapp"
            for name, port in (("bare_view", bare), ("webhook_ack", ours))
        }
        load(urls["webhook_ack"], bodies(200), args.clients)  # fill the worker's queue
        time.sleep(2)  # the worker is now inside slowed assistant turns, and stays busy for the whole run
        results = compare(urls, args.requests, args.clients)
        for name, (latencies, _wall) in results.items():
            print(f"{name}_slow_assistant_p50 {percentile(latencies, 0.50):.2f} ms")
            print(f"{name}_slow_assistant_p99 {percentile(latencies, 0.99):.2f} ms")
        from django_tenants.utils import schema_context

        from messaging.models import Message

        with schema_context("bench"):
            answered = Message.objects.filter(direction=Message.Direction.IN).count()
        print(f"# the slowed worker had taken in {answered} patient messages by the end (the rest were queued)")
        ratio = percentile(results["webhook_ack"][0], 0.99) / percentile(results["bare_view"][0], 0.99)
        print(f"webhook_ack_p99_ratio_slow_assistant {ratio:.2f}")
    finally:
        stop(processes)
        graph.stop()


if __name__ == "__main__":
    main()
