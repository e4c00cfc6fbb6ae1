"""The waiting-room board's clock tells Hong Kong time whatever the screen's own time zone is."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from clinics.frontdesk import selectors
from clinics.models import Clinic
from tests.clinics.frontdesk.test_frontdesk_browser import (
    CHROMIUM_ARGS,
    site,  # noqa: F401 - the live site fixture
)


def test_the_board_clock_shows_hong_kong_time_on_a_screen_set_to_utc(site):  # noqa: F811
    from playwright.sync_api import sync_playwright

    connection.set_tenant(Clinic.objects.get(slug="alpha"))
    key = selectors.clinic_settings().queue_board_token
    connection.set_schema_to_public()
    hong_kong_now = timezone.localtime()
    accepted = {
        (hong_kong_now + timedelta(minutes=delta)).strftime("%H:%M") for delta in (-1, 0, 1)
    }  # a minute either side: the clock may tick between reading and rendering

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            board = browser.new_context(timezone_id="UTC", locale="zh-HK").new_page()
            board.goto(f"{site}/queue/board?key={key}")
            shown = board.evaluate(
                """() => new Promise(done => {
                    const clock = document.getElementById("clock");
                    const read = () => clock.textContent ? done(clock.textContent) : setTimeout(read, 100);
                    read();
                })"""
            )
        finally:
            browser.close()

    hour_minute = shown[-5:]
    hour = int(hour_minute[:2]) % 12
    assert any(hour == int(a[:2]) % 12 and hour_minute[-2:] == a[-2:] for a in accepted), (shown, accepted)
