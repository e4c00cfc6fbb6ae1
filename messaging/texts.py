"""Patient-facing texts: every app keeps `TEXTS = {key: {"en": ..., "zh-Hant-HK": ...}}` in its texts.py."""

from __future__ import annotations

LANGUAGES = ("zh-Hant-HK", "en")
DEFAULT_LANGUAGE = "zh-Hant-HK"


def render(texts: dict[str, dict[str, str]], key: str, language: str | None, **params) -> str:
    """The text for `key` in `language` (Chinese for anything unknown), with `{name}` params filled in."""
    entry = texts[key]
    if language not in entry:
        language = "en" if (language or "").lower().startswith("en") else DEFAULT_LANGUAGE
    return entry[language].format(**params) if params else entry[language]


TEXTS = {
    "identifiers_masked": {
        "en": (
            "For your safety, please don't send ID card, passport, bank or credit card numbers on WhatsApp. "
            "We have hidden the number in our records. The clinic will ask for it in person if needed."
        ),
        "zh-Hant-HK": (
            "為保障你的私隱，請不要在 WhatsApp 傳送身份證、護照、銀行戶口或信用卡號碼。"
            "我們已在紀錄中隱藏該號碼；如有需要，診所會親身向你查詢。"
        ),
    },
}
