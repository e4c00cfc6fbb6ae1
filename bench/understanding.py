"""Latency of each understanding engine (median, p95): offline, and Vertex AI through google-genai against
the local generateContent stand-in (so it measures our client path, not Gemini itself).

    SMARTCLINIC_DATA_DIR=$(mktemp -d) .venv/bin/python bench/understanding.py

With labelled .tsv files as arguments (text, intent, language), it prints the offline engine's intent
accuracy on each instead, overall and per intent, and every miss; how each fresh batch is scored:

    SMARTCLINIC_DATA_DIR=$(mktemp -d) .venv/bin/python bench/understanding.py tests/messaging/assistant/fresh_round*.tsv
"""

import csv
import datetime
import logging
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartclinic.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.utils import timezone  # noqa: E402

from messaging.assistant.engine import ClinicContext, budget_key, understand  # noqa: E402
from smartclinic.standins.vertex import VertexStandIn  # noqa: E402

CONTEXT = ClinicContext(
    today=datetime.date(2026, 11, 18),
    doctors=("Dr Chan Tai Man 陳大文醫生", "Dr Wong Mei Ling 黃美玲醫生"),
    clinic_name="Alpha Clinic 阿爾法診所",
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def messages() -> list[str]:
    return [row["text"] for row in rows(ROOT / "tests/messaging/assistant/labelled_messages.tsv")]


def accuracy(path: Path) -> None:
    right, total, misses = Counter(), Counter(), []
    for row in rows(path):
        read = understand(row["text"], clinic_context=CONTEXT, engine="offline").intent
        total[row["intent"]] += 1
        right[row["intent"]] += read == row["intent"]
        if read != row["intent"]:
            misses.append(f"  {row['intent']:22} read {read:22} {row['text']}")
    print(f"{path.name}: {sum(right.values())}/{sum(total.values())} = {sum(right.values()) / sum(total.values()):.1%}")
    for intent in sorted(total, key=lambda i: right[i] / total[i]):
        print(f"  {intent:24} {right[intent]:3}/{total[intent]:<3} {right[intent] / total[intent]:.0%}")
    print("\n".join(sorted(misses)))


def measure(texts: list[str], engine: str | None) -> tuple[list[float], dict[str, int]]:
    timings, engines = [], {}
    for text in texts:
        started = time.perf_counter()
        reading = understand(text, clinic_context=CONTEXT, engine=engine)
        timings.append((time.perf_counter() - started) * 1000)
        engines[reading.engine] = engines.get(reading.engine, 0) + 1
    return timings, engines


def report(name: str, timings: list[float], engines: dict[str, int]) -> None:
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(f"understand_{name}_median {statistics.median(timings):.2f} ms")
    print(f"understand_{name}_p95 {p95:.2f} ms")
    print(f"understand_{name}_messages {len(timings)} ({', '.join(f'{k}={v}' for k, v in sorted(engines.items()))})")


def main() -> None:
    if sys.argv[1:]:
        for name in sys.argv[1:]:
            accuracy(Path(name))
        return
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per request otherwise
    texts = messages()
    report("offline", *measure(texts, "offline"))
    with VertexStandIn() as stand_in:
        settings.VERTEX_PROJECT = "smartclinic-bench"
        settings.VERTEX_BASE_URL = stand_in.url
        settings.VERTEX_DAILY_BUDGET = 10**6
        cache.delete(budget_key(schema="public", day=timezone.localdate()))
        understand("warm up", clinic_context=CONTEXT)  # the client is built once per process
        timings, engines = measure(texts, None)
        cache.delete(budget_key(schema="public", day=timezone.localdate()))
    # Screened messages (emergency, STOP, staff, medical) never go to Vertex: report the Vertex calls alone too.
    report("vertex_standin_all", timings, engines)
    vertex_only = [t for t, text in zip(timings, texts, strict=True) if not _screened(text)]
    report("vertex_standin_calls", vertex_only, {"vertex": len(vertex_only)})


def _screened(text: str) -> bool:
    from messaging.assistant.screen import screen

    return screen(text) is not None


if __name__ == "__main__":
    main()
