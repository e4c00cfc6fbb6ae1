"""Unfold's and auditlog's own words in Traditional Chinese (Hong Kong): neither package ships Chinese.

locale_thirdparty/zh_Hant is hand-kept (makemessages never writes to it); Django's own zh_Hant covers
the rest of the admin (Save, Delete, History...).
"""

import gettext
import os
import re
from pathlib import Path

import auditlog
import unfold
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_tenants.utils import tenant_context

from tests.clinics.frontdesk.frontdesk_factories import DoctorFactory
from tests.conftest import ROOT, admin_login
from tests.smartclinic.test_translations import PLACEHOLDER, marked_in_python, marked_in_template, read_po

THIRDPARTY = ROOT / "locale_thirdparty" / "zh_Hant" / "LC_MESSAGES"
PACKAGES = {"unfold": Path(unfold.__file__).parent, "auditlog": Path(auditlog.__file__).parent}


def thirdparty_entries():
    return [entry for entry in read_po(THIRDPARTY / "django.po") if entry.msgid]


def marked_in_package(folder: Path) -> set[tuple[str | None, str]]:
    found = set()
    for path_name, subfolders, files in os.walk(folder):
        subfolders[:] = [d for d in subfolders if d not in ("__pycache__", "static", "locale")]
        for name in files:
            path = Path(path_name) / name
            if path.suffix == ".py":
                found |= marked_in_python(path.read_text(encoding="utf-8"))
            elif path.suffix in (".html", ".txt"):
                found |= marked_in_template(path.read_text(encoding="utf-8"), str(path))
    return found


def chinese_client(host: str = "alpha.localhost", username: str | None = "manager@alpha.test") -> Client:
    client = Client(HTTP_HOST=host)
    if username:
        assert admin_login(client, username)
    client.cookies["django_language"] = "zh-hant"
    return client


# --- the catalogue ------------------------------------------------------------------------------------------
def test_every_thirdparty_message_has_a_chinese_translation_and_none_is_fuzzy():
    entries = thirdparty_entries()
    assert len(entries) > 100  # the catalogue really was read
    assert [e.msgid for e in entries if not all(s.strip() for s in e.msgstr)] == []
    assert [e.msgid for e in entries if e.fuzzy] == []


def test_thirdparty_translations_keep_every_placeholder_of_the_english():
    changed = [
        e.msgid
        for e in thirdparty_entries()
        for msgstr in e.msgstr
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]
    assert changed == []


def test_the_committed_thirdparty_mo_translates_every_message_exactly_as_the_po_says():
    with open(THIRDPARTY / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for e in thirdparty_entries():
        if e.msgid_plural is not None:
            got = catalogue.ngettext(e.msgid, e.msgid_plural, 2)
        else:
            got = catalogue.pgettext(e.msgctxt, e.msgid) if e.msgctxt else catalogue.gettext(e.msgid)
        if got != e.msgstr[0]:
            stale.append(e.msgid)
    assert stale == [], "compile locale_thirdparty: `make messages`, then commit the .mo"


def test_our_own_catalogue_comes_first_so_it_wins_over_the_thirdparty_one():
    assert [Path(p).name for p in settings.LOCALE_PATHS] == ["locale", "locale_thirdparty"]


def test_every_message_unfold_and_auditlog_mark_is_chinese_in_the_chinese_admin():
    in_catalogue = {e.msgid for e in thirdparty_entries()}  # some stay as they are: '%(class_name)s %(instance)s'
    untranslated = {}
    with translation.override("zh-hant"):
        for package, folder in PACKAGES.items():
            for context, msgid in marked_in_package(folder):
                as_text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                as_plural = translation.ngettext(msgid, msgid, 1)
                if as_text == msgid and as_plural == msgid and msgid.strip() and msgid not in in_catalogue:
                    untranslated[msgid] = package
    assert untranslated == {}, "add these to locale_thirdparty/zh_Hant/LC_MESSAGES/django.po and compile it"


# --- the pages ----------------------------------------------------------------------------------------------
def test_a_changelist_shows_unfolds_action_bar_and_empty_state_in_chinese(alpha):
    page = chinese_client().get("/admin/frontdesk/appointment/").content.decode()
    for chinese in ("選擇動作", "沒有結果", "重設篩選"):
        assert chinese in page
    for english in ("Select action", "No results found", "Reset filters"):
        assert english not in page


def test_the_index_shows_unfolds_search_and_theme_switcher_in_chinese(alpha):
    page = chinese_client().get("/admin/").content.decode()
    for chinese in ("搜尋應用程式及模型", "所有應用程式", "淺色", "深色", "跟隨系統"):
        assert chinese in page
    for english in ("Search apps and models", "All applications", ">Light<", ">System<"):
        assert english not in page


def test_the_login_page_greets_in_chinese(alpha):
    page = chinese_client(username=None).get("/admin/login/").content.decode()
    assert "歡迎回到" in page
    assert "Welcome back to" not in page


def test_the_activity_log_changelist_shows_the_app_name_and_columns_in_chinese(alpha):
    page = chinese_client().get("/admin/auditlog/logentry/").content.decode()
    assert re.search(r'<a href="/admin/auditlog/"[^>]*>\s*活動記錄\s*</a', page)
    assert "建立時間" in page  # auditlog's "Created" column, not Django's 建立者
    assert "Audit log" not in page


def test_the_activity_logs_own_columns_read_in_chinese_for_a_change_made_by_the_system(alpha):
    with tenant_context(alpha):
        doctor = DoctorFactory(name_en="Dr Lee")  # outside a request: no staff actor, the system did it
        doctor.name_en, doctor.name_zh = "Dr Lee Ka Wai", "李家偉醫生"
        doctor.save()
    page = chinese_client().get("/admin/auditlog/logentry/").content.decode()
    assert re.search(r">\s*系統\s*<", page)
    assert "項變更：" in page
    assert "Correlation ID" not in page and ">system<" not in page
    assert not re.search(r"\d+ changes?:", page)


def test_the_operator_activity_log_is_chinese_too(operator_client):
    operator_client.cookies["django_language"] = "zh-hant"
    page = operator_client.get("/admin/auditlog/logentry/").content.decode()
    assert re.search(r'<a href="/admin/auditlog/"[^>]*>\s*活動記錄\s*</a', page)
    assert "Audit log" not in page


def test_without_a_chinese_preference_unfolds_labels_stay_english(alpha):
    client = Client(HTTP_HOST="alpha.localhost")
    assert admin_login(client, "manager@alpha.test")
    page = client.get("/admin/frontdesk/appointment/").content.decode()
    assert "Select action" in page
    assert "Reset filters" in page
    assert "選擇動作" not in page
