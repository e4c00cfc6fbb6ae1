"""Bench-only settings: production settings plus an app that slows the assistant (never used in production).

    DJANGO_SETTINGS_MODULE=bench.settings_slow BENCH_ASSISTANT_DELAY=2 celery -A smartclinic worker

Used by bench/ack_slow.py for the worker, to show the webhook's ack does not wait on the assistant.
"""

from smartclinic.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.slow_assistant.SlowAssistantConfig"]  # noqa: F405
