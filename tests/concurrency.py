"""Run the same piece of clinic work in several threads at once, each on its own connection.

Each thread opens and checks its connection *before* the barrier, so the threads race on the
work under test and not on connection set-up; an exception in a thread is raised in the test
(a silently missing result would hide what went wrong).
"""

import threading
from collections.abc import Callable

from django.db import OperationalError, connection, connections


def _ready_connection() -> None:
    """A usable connection in this thread; one fresh attempt if the first is dead on arrival.

    Setting up a connection is not what these tests test: a connection that the server drops
    while it is being opened is retried once here, outside the race.
    """
    for attempt in (1, 2):
        try:
            with connection.cursor() as cursor:  # also issues the schema's search_path
                cursor.execute("SELECT 1")
            return
        except OperationalError:
            connection.close()
            if attempt == 2:
                raise


def at_once(tenant, work: Callable[[], object], *, threads: int, timeout: float = 60) -> list[object]:
    """Call `work()` in `threads` threads released together in `tenant`'s schema; return the results."""
    barrier = threading.Barrier(threads)
    results: list[object] = []
    errors: list[BaseException] = []

    def run():
        try:
            connection.set_tenant(tenant)
            _ready_connection()
            barrier.wait(timeout)
            results.append(work())
        except BaseException as error:  # noqa: BLE001 - handed to the test below
            errors.append(error)
            barrier.abort()
        finally:
            connections.close_all()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in started), f"a thread was still running after {timeout} s"
    if errors:
        raise errors[0]
    return results
