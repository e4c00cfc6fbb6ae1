"""The admin in Traditional Chinese (Hong Kong) and English: a complete catalogue, compiled, switchable.

Patient-facing WhatsApp texts are not gettext (each app's texts.py has its own test); this is the staff's UI.
"""

import ast
import gettext
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.utils.translation.template import templatize

from tests.conftest import ROOT, admin_login, clinic_client

CATALOGUE = ROOT / "locale" / "zh_Hant" / "LC_MESSAGES"
# The same folders `make messages` leaves out (besides hidden ones, which makemessages skips too).
NOT_SCANNED = {"tests", "bench", "staticfiles", "media", "node_modules", "locale"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@dataclass
class Entry:
    msgid: str
    msgstr: list[str]
    msgctxt: str | None = None
    msgid_plural: str | None = None
    fuzzy: bool = False


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete `#~` ones are not compiled, so they are skipped)."""
    entries: list[Entry] = []
    fields: dict = {}
    fuzzy = False
    last = None

    def flush():
        nonlocal fields, fuzzy
        if "msgid" in fields:
            strs = [fields[k] for k in sorted(k for k in fields if k.startswith("msgstr"))]
            entries.append(Entry(fields["msgid"], strs, fields.get("msgctxt"), fields.get("msgid_plural"), fuzzy))
        fields, fuzzy = {}, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        starts_entry = line.startswith(("#", "msgctxt ", "msgid "))
        if starts_entry and any(k.startswith("msgstr") for k in fields):
            flush()
        if line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[last] += ast.literal_eval(line)
        else:
            keyword, _, literal = line.partition(" ")
            last = keyword.replace("msgstr[", "msgstr_").rstrip("]")
            fields[last] = ast.literal_eval(literal)
    flush()
    return entries


def translatable_entries() -> list[Entry]:
    return [entry for entry in read_po(CATALOGUE / "django.po") if entry.msgid]


# --- what the code marks for translation, found without gettext tools ------------------------------------
PY_KEYWORDS = {  # function name -> (index of the context, of the message, of the plural)
    **dict.fromkeys(("_", "gettext", "gettext_lazy", "gettext_noop"), (None, 0, None)),
    **dict.fromkeys(("ngettext", "ngettext_lazy"), (None, 0, 1)),
    **dict.fromkeys(("pgettext", "pgettext_lazy"), (0, 1, None)),
    **dict.fromkeys(("npgettext", "npgettext_lazy"), (0, 1, 2)),
}
STRING = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"\b(_|gettext|ngettext|pgettext|npgettext)\(\s*({STRING}(?:\s*,\s*{STRING})*)")


def marked_in_python(source: str) -> set[tuple[str | None, str]]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in PY_KEYWORDS:
            continue
        context_at, message_at, _plural_at = PY_KEYWORDS[name]
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if len(args) > message_at and args[message_at] is not None:
            found.add((args[context_at] if context_at is not None else None, args[message_at]))
    return found


def marked_in_template(source: str, origin: str) -> set[tuple[str | None, str]]:
    found = set()
    for match in TEMPLATE_CALL.finditer(templatize(source, origin=origin)):
        strings = [ast.literal_eval(s) for s in re.findall(STRING, match.group(2))]
        if match.group(1) in ("pgettext", "npgettext"):
            found.add((strings[0], strings[1]))
        else:
            found.add((None, strings[0]))
    return found


def marked_in_code() -> dict[tuple[str | None, str], str]:
    """Every (context, message) our own code marks, with the first file that marks it."""
    found: dict[tuple[str | None, str], str] = {}
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in NOT_SCANNED)
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix == ".py":
                keys = marked_in_python(path.read_text(encoding="utf-8"))
            elif path.suffix in (".html", ".txt"):
                keys = marked_in_template(path.read_text(encoding="utf-8"), str(path))
            else:
                continue
            for key in keys:
                found.setdefault(key, str(path.relative_to(ROOT)))
    return found


# --- (a) the catalogue is complete -------------------------------------------------------------------
def test_every_message_in_the_catalogue_has_a_chinese_translation_and_none_is_fuzzy():
    entries = translatable_entries()
    assert len(entries) > 300  # the catalogue really was read
    untranslated = [e.msgid for e in entries if not e.msgstr or not all(s.strip() for s in e.msgstr)]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert untranslated == [], "translate these in locale/zh_Hant/LC_MESSAGES/django.po"
    assert fuzzy == [], "check these translations and remove their fuzzy flag"


def test_the_catalogue_header_says_traditional_chinese_utf8_with_one_plural_form():
    header = next(e for e in read_po(CATALOGUE / "django.po") if e.msgid == "").msgstr[0]
    assert "Language: zh_Hant\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert not next(e for e in read_po(CATALOGUE / "django.po") if e.msgid == "").fuzzy


def test_translations_keep_every_placeholder_of_the_english():
    changed = [
        e.msgid
        for e in translatable_entries()
        for msgstr in e.msgstr
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]
    assert changed == []


def test_plural_messages_have_exactly_one_chinese_form():
    assert all(len(e.msgstr) == 1 for e in translatable_entries() if e.msgid_plural is not None)


def test_every_string_the_code_marks_for_translation_is_in_the_catalogue():
    in_catalogue = {(e.msgctxt, e.msgid) for e in translatable_entries()}
    missing = {key: where for key, where in marked_in_code().items() if key not in in_catalogue}
    assert missing == {}, "run `make messages`, translate the new entries, and run it again to compile"


# --- (b) the committed .mo is the compiled .po ----------------------------------------------------------
def test_the_committed_mo_file_translates_every_message_exactly_as_the_po_says():
    with open(CATALOGUE / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for e in translatable_entries():
        if e.msgid_plural is not None:
            got = (
                catalogue.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 2)
                if e.msgctxt
                else catalogue.ngettext(e.msgid, e.msgid_plural, 2)
            )
        else:
            got = catalogue.pgettext(e.msgctxt, e.msgid) if e.msgctxt else catalogue.gettext(e.msgid)
        if got != e.msgstr[0]:
            stale.append(e.msgid)
    assert stale == [], "the .mo is older than the .po: run `make messages` (compilemessages) and commit the .mo"


# --- (c) the admin speaks the browser's language --------------------------------------------------------
def alpha_client(**headers) -> Client:
    client = Client(HTTP_HOST="alpha.localhost", **headers)
    assert admin_login(client, "manager@alpha.test")
    return client


@pytest.mark.parametrize("accept_language", ["zh-Hant", "zh-HK,zh;q=0.9,en;q=0.8", "zh-TW"])
def test_a_chinese_browser_sees_the_clinic_admin_index_in_chinese(alpha, accept_language):
    page = alpha_client(HTTP_ACCEPT_LANGUAGE=accept_language).get("/admin/").content.decode()
    assert 'lang="zh-hant"' in page
    assert "診所今日概況" in page  # our index title
    assert "登記處" in page  # our front desk app
    assert "阿爾法診所" in page  # the clinic's own Chinese name as the header
    assert "Today at the clinic" not in page


def test_an_english_browser_sees_the_clinic_admin_index_in_english(alpha):
    page = alpha_client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get("/admin/").content.decode()
    assert 'lang="en"' in page
    assert "Today at the clinic" in page
    assert "Front desk" in page
    assert "Alpha Clinic" in page
    assert "診所今日概況" not in page


def test_the_appointments_changelist_shows_chinese_column_names_with_the_language_cookie(alpha):
    client = alpha_client()
    client.cookies["django_language"] = "zh-hant"
    page = client.get("/admin/frontdesk/appointment/").content.decode()
    for chinese in ("選擇 預約 來修改", "預約途徑", "開始時間", "取消並通知病人", "已確認"):
        assert chinese in page
    assert "Booked via" not in page


def test_the_appointments_changelist_is_in_english_without_a_chinese_preference(alpha):
    page = alpha_client().get("/admin/frontdesk/appointment/").content.decode()
    for english in ("Select appointment to change", "By booked via", "By starts at", "Cancel and tell the patient"):
        assert english in page
    assert "預約途徑" not in page


def test_chinese_for_alpha_does_not_change_the_language_beta_staff_see(alpha, beta):
    alpha_staff = alpha_client()
    alpha_staff.cookies["django_language"] = "zh-hant"
    assert "診所今日概況" in alpha_staff.get("/admin/").content.decode()
    beta_staff = clinic_client("beta")
    assert admin_login(beta_staff, "manager@beta.test")
    page = beta_staff.get("/admin/").content.decode()
    assert "Today at the clinic" in page
    assert "Beta Clinic" in page
    assert "阿爾法診所" not in page


def test_the_admin_pages_offer_the_language_switcher(alpha):
    page = alpha_client().get("/admin/").content.decode()
    assert "/i18n/setlang/" in page
    assert "繁體中文" in page


# --- (d) switching language -----------------------------------------------------------------------------
def test_choosing_chinese_in_the_switcher_turns_the_clinic_admin_chinese_and_back(alpha):
    client = alpha_client()
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/admin/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hant"
    assert "診所今日概況" in client.get("/admin/").content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert "Today at the clinic" in client.get("/admin/").content.decode()


def test_choosing_chinese_works_on_the_operator_admin_too(operator_client):
    response = operator_client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/admin/"})
    assert response.status_code == 302
    page = operator_client.get("/admin/").content.decode()
    assert "診所及私隱" in page  # our operator index title
    assert "拒絕記錄冊（第27條）" in page  # a privacy model's name in the app list
    assert "Clinics and privacy" not in page


def test_a_language_we_do_not_offer_falls_back_to_english(alpha):
    client = alpha_client()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/admin/"})
    assert "Today at the clinic" in client.get("/admin/").content.decode()
