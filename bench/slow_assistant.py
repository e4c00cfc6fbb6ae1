"""Bench-only app: every assistant turn takes BENCH_ASSISTANT_DELAY more seconds (2 by default).

Installed only by bench/settings_slow.py. It wraps messaging.assistant.dialogue.respond, which
messaging.services looks up on the module at each call, so no production code knows about it.
"""

import functools
import os
import time

from django.apps import AppConfig


class SlowAssistantConfig(AppConfig):
    name = "bench.slow_assistant"
    label = "bench_slow_assistant"

    def ready(self) -> None:
        from messaging.assistant import dialogue

        delay = float(os.environ.get("BENCH_ASSISTANT_DELAY", "2"))
        respond = dialogue.respond

        @functools.wraps(respond)
        def slow_respond(*, message) -> None:
            time.sleep(delay)
            respond(message=message)

        dialogue.respond = slow_respond
