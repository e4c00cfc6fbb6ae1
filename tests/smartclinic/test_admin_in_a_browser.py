"""The clinic admin in a real browser: log in through the form and get around by the sidebar.

A regression guard too: our Content Security Policy once blocked Alpine.js, and with it every
click in Unfold's admin; the browser's console says so when that happens again.
"""

import re

from playwright.sync_api import expect

from tests.clinics.frontdesk.test_frontdesk_browser import chromium, site  # noqa: F401 - site is a fixture
from tests.conftest import PASSWORD


def _log_in_through_the_form(page, site_url: str) -> None:
    page.goto(f"{site_url}/admin/login/")
    page.fill("input[name=username]", "manager@alpha.test")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{site_url}/admin/")


def test_a_manager_gets_around_the_clinic_admin_by_the_sidebar(site):  # noqa: F811 - the imported fixture
    console_errors = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        _log_in_through_the_form(page, site)
        expect(page.get_by_test_id("today-card")).to_have_count(4)

        sidebar = page.locator("#nav-sidebar-apps")
        for label, path, landmark in [
            ("Queue desk", "/admin/queue/", page.get_by_test_id("call-next")),
            ("Appointments calendar", "/admin/calendar/", page.get_by_test_id("calendar-day")),
            ("Inbox", "/admin/messaging/conversation/", page.locator("#changelist-form, #result_list").first),
            ("Patients", "/admin/frontdesk/patient/", page.locator("#changelist-form, #result_list").first),
        ]:
            sidebar.get_by_role("link", name=re.compile(rf"\b{label}$")).click()  # after the icon's name
            expect(page).to_have_url(re.compile(re.escape(f"{site}{path}")))
            expect(landmark).to_be_visible()
            expect(sidebar.locator("a.active")).to_contain_text(label)

    assert not [error for error in console_errors if "Content Security Policy" in error], console_errors
