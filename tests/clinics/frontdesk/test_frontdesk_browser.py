"""The queue board and the calendar in a real browser (Debian's chromium via Playwright).

The site runs in a wsgiref server thread on committed data (pytest-django's live_server
would flush the tables and wipe the session's clinics); Chromium resolves *.localhost to
127.0.0.1, so alpha is reached on its own domain.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from clinics.frontdesk import selectors, services
from clinics.models import Clinic
from tests.clinics.frontdesk.frontdesk_factories import DoctorFactory, PatientFactory, working_day
from tests.conftest import PASSWORD

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Server(ThreadingMixIn, WSGIServer):
    # server_close() waits for requests still in flight, so no request thread outlives its test.
    daemon_threads = False
    block_on_close = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def _closing(application):
    """Each request thread closes its database connection, so none outlives the test."""

    def wrapped(environ, start_response):
        try:
            return list(application(environ, start_response))
        finally:
            connections.close_all()

    return wrapped


@pytest.fixture
def site(committed_db):
    server = make_server("127.0.0.1", 0, _closing(WSGIHandler()), server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://alpha.localhost:{server.server_port}"
    server.shutdown()
    server.server_close()


@contextmanager
def chromium():
    """Playwright's sync API runs an event loop: set data up before, not inside (Django refuses ORM calls there)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def press(locator):
    # The element's own click(): unfold's hidden modal layer sits over the admin page in headless Chromium.
    locator.evaluate("element => element.click()")


def _log_in(page, site):
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", "manager@alpha.test")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").evaluate("input => input.form.requestSubmit()")
    assert page.url == f"{site}/admin/", page.locator("body").inner_text()[:2000]


def test_the_board_shows_the_called_number_without_a_reload(site):
    connection.set_tenant(Clinic.objects.get(slug="alpha"))
    for _ in range(2):
        services.join_queue(patient=None, source="desk")
    key = selectors.clinic_settings().queue_board_token
    connection.set_schema_to_public()

    with chromium() as browser:
        board = browser.new_page()
        board.goto(f"{site}/queue/board?key={key}")
        expect(board.get_by_test_id("now-serving")).to_have_text("—")
        board.evaluate("window.stillTheSamePage = true")

        desk = browser.new_page()
        _log_in(desk, site)
        desk.goto(f"{site}/admin/queue/")
        press(desk.get_by_test_id("call-next"))
        expect(desk.get_by_test_id("desk-now-serving")).to_have_text("1")

        expect(board.get_by_test_id("now-serving")).to_have_text("1", timeout=10_000)
        expect(board.locator("#waiting")).to_have_text("2")
        assert board.evaluate("window.stillTheSamePage") is True


def take_a_whatsapp_number(clinic, name):
    connection.set_tenant(clinic)
    try:
        services.join_queue(patient=PatientFactory(name=name), source="whatsapp")
    finally:
        connections.close_all()


def test_the_desk_shows_a_number_taken_on_whatsapp_without_a_reload(site):
    alpha = Clinic.objects.get(slug="alpha")
    with chromium() as browser:
        desk = browser.new_page()
        _log_in(desk, site)
        desk.goto(f"{site}/admin/queue/")
        expect(desk.get_by_test_id("desk-waiting-count")).to_have_text("0")
        desk.evaluate("window.stillTheSamePage = true")

        # A patient takes a number meanwhile; in a thread of its own, as Django refuses ORM calls in Playwright's loop.
        with ThreadPoolExecutor(max_workers=1) as patient_side:
            patient_side.submit(take_a_whatsapp_number, alpha, "Wong Siu Ming").result()

        expect(desk.get_by_test_id("ticket-1")).to_contain_text("Wong Siu Ming", timeout=10_000)
        expect(desk.get_by_test_id("desk-waiting-count")).to_have_text("1")
        assert desk.evaluate("window.stillTheSamePage") is True


def test_the_calendar_shows_the_day_and_moves_between_days(site):
    connection.set_tenant(Clinic.objects.get(slug="alpha"))
    day = working_day()
    start = datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())
    appointment = services.book_appointment(
        patient=PatientFactory(name="Browser Patient"), doctor=DoctorFactory(), starts_at=start
    )
    connection.set_schema_to_public()

    with chromium() as browser:
        page = browser.new_page()
        _log_in(page, site)
        page.goto(f"{site}/admin/calendar/?day={day:%Y-%m-%d}")
        expect(page.get_by_test_id("appointment")).to_have_text("Browser Patient")
        press(page.get_by_test_id("next"))
        expect(page.get_by_test_id("calendar-day")).not_to_contain_text(f"{day:%Y-%m-%d}")
        expect(page.get_by_test_id("appointment")).to_have_count(0)
        press(page.get_by_test_id("previous"))
        press(page.get_by_test_id("appointment"))
        expect(page).to_have_url(f"{site}/admin/frontdesk/appointment/{appointment.pk}/change/")
