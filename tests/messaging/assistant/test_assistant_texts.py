"""The assistant's patient texts: both languages, the same placeholders, WhatsApp's limits, no ID requests."""

import datetime
import re
import string

from messaging.assistant.texts import TEXTS, day_label

LANGUAGES = ("en", "zh-Hant-HK")


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_exists_in_english_and_hong_kong_chinese():
    for key, entry in TEXTS.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[language].strip() for language in LANGUAGES), key


def test_both_languages_of_a_text_take_the_same_placeholders():
    for key, entry in TEXTS.items():
        assert placeholders(entry["en"]) == placeholders(entry["zh-Hant-HK"]), key


def test_the_chinese_texts_are_written_in_chinese():
    for key, entry in TEXTS.items():
        assert re.search(r"[\u4e00-\u9fff]", entry["zh-Hant-HK"]), key


def test_button_labels_fit_whatsapps_twenty_characters():
    for key, entry in TEXTS.items():
        if key.startswith("button_"):
            assert all(len(entry[language]) <= 20 for language in LANGUAGES), key
        if key.startswith(("section_", "topic_")):
            assert all(len(entry[language]) <= 24 for language in LANGUAGES), key


def test_no_text_asks_for_an_id_card_or_a_card_number():
    forbidden = re.compile(r"hkid|identity card|id card|card number|credit card|passport|身份證|信用卡|護照|卡號", re.I)
    for key, entry in TEXTS.items():
        for language in LANGUAGES:
            assert not forbidden.search(entry[language]), key


def test_the_emergency_text_says_999_and_a_and_e_in_both_languages():
    assert "999" in TEXTS["emergency"]["en"] and "A&E" in TEXTS["emergency"]["en"]
    assert "999" in TEXTS["emergency"]["zh-Hant-HK"] and "急症室" in TEXTS["emergency"]["zh-Hant-HK"]


def test_days_are_named_the_hong_kong_way_in_each_language():
    day = datetime.date(2026, 11, 27)
    assert day_label(day, "en") == "Fri 27 Nov"
    assert day_label(day, "zh-Hant-HK") == "11月27日（五）"


def test_the_self_harm_text_gives_999_and_both_24_hour_hotlines_in_both_languages():
    for language in LANGUAGES:
        text = TEXTS["emergency_self_harm"][language]
        assert "999" in text and "2896 0000" in text and "2389 2222" in text, language
