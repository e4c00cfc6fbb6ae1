"""Fault injection: a burst of webhook deliveries while workers die and Meta throttles.

Sixty patient messages from ten patients of alpha reach the real webhook view, each twice
(Meta delivers at least once), in shuffled order. A real Celery worker (production Celery
settings: acks_late, reject on worker lost; a 5 s visibility timeout so unacked work comes back
fast) processes them and sends the assistant's replies to the Graph stand-in, which answers
429 or 500 to a share of calls. Mid-burst the pool children are SIGKILLed while a send is inside
a (slowed) Graph call, later the whole worker with its children, and a fresh worker takes
over; the real messaging sweep is queued while the test waits.

The test plays Meta for the statuses: every message the stand-in accepted gets `sent` twice,
`delivered`, and for every third one `read` BEFORE `delivered`, each echoing the
biz_opaque_callback_data the send carried, as Meta does.

Afterwards: each inbound message is stored once, each outbound message reached Meta exactly
once (mapped by the wamid the stand-in returned and by the callback data), nothing is left
queued or sending, and no status went backwards.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from clinics.models import Clinic
from messaging.models import Message, WebhookEvent
from messaging.tasks import sweep
from smartclinic.celery import app
from smartclinic.standins.graph import GraphStandIn
from tests.conftest import ROOT, test_database_env
from tests.messaging.messaging_factories import envelope, sign, text_message

PATIENTS = [f"8526100{n:04d}" for n in range(10)]
TEXTS = [
    "What are your opening hours?",
    "Where is the clinic?",
    "How much is a consultation?",
    "Do you accept elderly health care vouchers?",
    "幾點開門？",
    "Thank you",
]
VISIBILITY_TIMEOUT = 5  # seconds before Redis hands an unacknowledged task to another worker
CLAIM_TIMEOUT = 20  # seconds before a "sending" row left by a dead worker may be claimed again
SETTLE_DEADLINE = 85  # seconds for everything to settle after the burst
FINAL = {Message.Status.SENT, Message.Status.DELIVERED, Message.Status.READ}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


class Workers:
    """Real `celery worker` processes on the test database; each in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.current: subprocess.Popen | None = None
        self.all: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = self.log_path.open("ab")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "smartclinic", "worker", "--pool", "prefork"]
            + ["--concurrency", "2", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat", "--hostname", f"fault{len(self.all)}@%h"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.current = process
        self.all.append(process)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert process.poll() is None, "the Celery worker exited at start:\n" + self.tail()
            if len(_children(process.pid)) >= 2 and app.control.inspect(timeout=0.5).ping():
                return process
        raise AssertionError("the Celery worker did not answer a ping:\n" + self.tail())

    def kill_pool_children(self) -> list[int]:
        children = _children(self.current.pid)
        for child in children:
            os.kill(child, signal.SIGKILL)
        return children

    def kill_everything(self) -> None:
        os.killpg(self.current.pid, signal.SIGKILL)
        self.current.wait(timeout=10)

    def stop(self) -> None:
        for process in self.all:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)

    def tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-40:]) if self.log_path.exists() else ""


@pytest.fixture
def graph():
    with GraphStandIn() as standin:
        yield standin


@pytest.fixture
def workers(committed_db, graph, tmp_path):
    """Start workers with production Celery settings, a short visibility timeout and the stand-in."""
    app.control.purge()
    cache.clear()  # rate-limit and flood counters of earlier tests
    env = {
        **test_database_env(),
        "WHATSAPP_GRAPH_URL": graph.url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "WHATSAPP_SEND_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "WARNING",
    }
    pool = Workers(env, tmp_path / "worker.log")
    yield pool
    pool.stop()
    app.control.purge()


class Meta:
    """The test's side of Meta: signed deliveries to the webhook, and status reports for what was sent."""

    def __init__(self, graph: GraphStandIn) -> None:
        self.graph = graph
        self.client = Client(HTTP_HOST=settings.BASE_DOMAIN)
        self.reported = 0  # how many of graph.sent have had their statuses posted
        self.read: set[str] = set()  # wamids reported read
        self.rng = random.Random(8)  # noqa: S311 - test data

    def post(self, body: dict) -> None:
        raw = json.dumps(body).encode()
        response = self.client.post(
            "/webhooks/whatsapp", data=raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=sign(raw)
        )
        connection.set_schema_to_public()
        assert response.status_code == 200, response.content

    def report_statuses(self) -> None:
        """Statuses for newly accepted sends: `sent` twice, `read` before `delivered` for every third."""
        with self.graph._lock:
            fresh = list(self.graph.sent[self.reported :])
        pending = []
        for entry in fresh:
            order = ["sent", "delivered", "sent"]
            if self.reported % 3 == 0:
                order = ["read", "sent", "delivered", "sent"]
                self.read.add(entry["wamid"])
            self.reported += 1
            pending.append((entry, order))
        while pending:  # different messages' reports interleave; each message's keep the order above
            index = self.rng.randrange(len(pending))
            entry, order = pending[index]
            report = {
                "id": entry["wamid"],
                "status": order.pop(0),
                "timestamp": str(int(time.time())),
                "recipient_id": entry["to"].lstrip("+"),
                "biz_opaque_callback_data": entry["payload"].get("biz_opaque_callback_data", ""),
            }
            self.post(envelope(statuses=[report]))
            if not order:
                pending.pop(index)


def _deliveries() -> tuple[list[dict], set[str]]:
    """Each of 60 messages twice, sometimes alone and sometimes batched with another patient's message."""
    rng = random.Random(60)  # noqa: S311 - test data
    messages = []
    for turn, text in enumerate(TEXTS):
        for patient in PATIENTS:
            messages.append(text_message(text, wamid=f"wamid.FAULT.{patient}.{turn}", wa_id=patient))
    deliveries = []
    for copy in range(2):
        order = messages[:] if copy == 0 else rng.sample(messages, len(messages))
        for message in order:
            deliveries.append(envelope(messages=[message], wa_id=message["from"], name=f"Patient {message['from']}"))
    # Meta's redeliveries arrive in no particular order relative to first deliveries.
    head, tail = deliveries[:60], deliveries[60:]
    mixed = []
    for index, first in enumerate(head):
        mixed.append(first)
        if index % 2:
            mixed.append(tail.pop(rng.randrange(len(tail))))
    mixed += tail
    return mixed, {message["id"] for message in messages}


def _in_alpha(query):
    connection.set_tenant(Clinic.objects.get(slug="alpha"))
    try:
        return query()
    finally:
        connection.set_schema_to_public()


def _wait_for(condition, *, seconds: float, meta: Meta, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        meta.report_statuses()
        if condition():
            return
        time.sleep(0.2)
    state = _in_alpha(
        lambda: {
            "events": Counter(
                (kind, done is not None) for kind, done in WebhookEvent.objects.values_list("kind", "processed_at")
            ),
            "messages": Counter(Message.objects.values_list("direction", "status")),
        }
    )
    state["graph requests"] = Counter(request.get("status") for request in graph_requests(meta.graph))
    raise AssertionError(f"timed out waiting for {what}: {state}\nworker log:\n{workers.tail()}")


def graph_requests(graph: GraphStandIn) -> list[dict]:
    with graph._lock:
        return list(graph.requests)


def _kill_during_a_send(graph: GraphStandIn, meta: Meta, workers: Workers, kill) -> None:
    """Slow the next sends (and let them succeed), wait until one is inside the stand-in, then kill."""
    with graph._lock:
        rate, graph._fault_rate = graph._fault_rate, None
        seen = len(graph.requests)
    graph.delay_next(2.0, n=2)

    def a_new_send_in_flight() -> bool:
        with graph._lock:
            return any("status" not in request for request in graph.requests[seen:])

    _wait_for(a_new_send_in_flight, seconds=40, meta=meta, what="a send in flight", workers=workers)
    killed = kill()
    with graph._lock:
        graph._fault_rate = rate  # Meta goes on refusing a share of calls
    assert killed is None or killed, "the worker had no pool children to kill"


def _in_flight(graph: GraphStandIn) -> int:
    with graph._lock:
        return sum(1 for request in graph.requests if "status" not in request)


def _open_work() -> tuple[int, int]:
    return _in_alpha(
        lambda: (
            WebhookEvent.objects.filter(processed_at__isnull=True).count(),
            Message.objects.filter(
                direction=Message.Direction.OUT, status__in=[Message.Status.QUEUED, Message.Status.SENDING]
            ).count(),
        )
    )


def test_a_burst_survives_killed_workers_and_throttling_with_each_message_stored_and_sent_exactly_once(workers, graph):
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost  # production Celery settings
    deliveries, wamids = _deliveries()
    meta = Meta(graph)
    graph.fail_rate(0.2, status=429, seed=4)
    workers.start()

    # Wave 1, then kill the pool children while a send is inside a slowed Graph call that Meta will accept.
    for body in deliveries[:40]:
        meta.post(body)
    _kill_during_a_send(graph, meta, workers, workers.kill_pool_children)

    # Wave 2, then kill the whole worker (main process and pool) mid-send.
    graph.fail_rate(0.2, status=429, seed=5)
    for body in deliveries[40:80]:
        meta.post(body)
    _kill_during_a_send(graph, meta, workers, workers.kill_everything)

    # Wave 3 arrives while no worker runs, Meta now answers 500 to a share; a fresh worker picks up what was left.
    graph.fail_rate(0.2, status=500, seed=6)
    graph.fail_next(3, status=429)
    for body in deliveries[80:]:
        meta.post(body)
    workers.start()

    last_sweep = 0.0

    def settled() -> bool:
        nonlocal last_sweep
        if time.monotonic() - last_sweep > 10:
            sweep.delay()  # the real sweep: re-queues events and sends left behind (older than a minute)
            last_sweep = time.monotonic()
        events, open_sends = _open_work()
        return events == 0 and open_sends == 0 and meta.reported == len(graph.sent) and _in_flight(graph) == 0

    _wait_for(settled, seconds=SETTLE_DEADLINE, meta=meta, what="all events processed and sends done", workers=workers)

    attempts = _in_alpha(
        lambda: Counter(Message.objects.filter(direction=Message.Direction.OUT).values_list("attempts", flat=True))
    )
    answers = Counter(request.get("status") for request in graph_requests(graph))
    print(f"graph answers {dict(answers)}; send attempts per reply {dict(attempts)}; read reported {len(meta.read)}")
    inbound = _in_alpha(
        lambda: list(Message.objects.filter(direction=Message.Direction.IN).values_list("wamid", flat=True))
    )
    assert sorted(inbound) == sorted(wamids), "inbound messages lost or stored twice"

    outbound = _in_alpha(
        lambda: list(Message.objects.filter(direction=Message.Direction.OUT).values("pk", "wamid", "status"))
    )
    assert outbound, "the assistant replied to nothing"
    with graph._lock:
        sent = list(graph.sent)
    sends_per_message = Counter(entry["payload"].get("biz_opaque_callback_data") for entry in sent)
    sends_per_wamid = Counter(entry["wamid"] for entry in sent)
    twice = {key: count for key, count in sends_per_message.items() if count > 1}
    assert not twice, f"replies sent more than once (callback data → sends): {twice}"
    assert set(sends_per_message) == {f"smartclinic:{row['pk']}" for row in outbound}, "a reply never sent, or a stray"
    for row in outbound:
        assert row["status"] in FINAL, f"outbound message {row['pk']} ended {row['status']}"
        assert sends_per_wamid[row["wamid"]] == 1, f"outbound message {row['pk']} has no matching send"
        expected = Message.Status.READ if row["wamid"] in meta.read else Message.Status.DELIVERED
        assert row["status"] == expected, f"message {row['pk']}: {row['status']} after {expected} was reported"
