"""Every patient-facing text of every app exists in English and Traditional Chinese."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps

from messaging.texts import LANGUAGES, TEXTS, render


def _texts_modules():
    """Each installed app's texts.py, and those of its sub-packages (messaging/assistant/texts.py)."""
    names = set()
    for config in apps.get_app_configs():
        root = Path(config.path)
        if ".venv" in root.parts or "site-packages" in root.parts:
            continue
        for found in root.rglob("texts.py"):
            relative = found.relative_to(root).with_suffix("").parts
            names.add(".".join((config.name, *relative)))
    return [importlib.import_module(name) for name in sorted(names)]


def test_the_walk_finds_the_messaging_texts():
    assert {"messaging.texts", "messaging.assistant.texts"} <= {module.__name__ for module in _texts_modules()}


@pytest.mark.parametrize("module", _texts_modules(), ids=lambda m: m.__name__)
def test_every_key_has_english_and_traditional_chinese(module):
    texts = getattr(module, "TEXTS", {})
    missing = [f"{key}:{lang}" for key, entry in texts.items() for lang in LANGUAGES if not entry.get(lang)]
    assert missing == []


def test_render_falls_back_to_chinese_and_fills_parameters():
    assert render({"hi": {"en": "Hi {name}", "zh-Hant-HK": "你好 {name}"}}, "hi", "fr", name="陳") == "你好 陳"
    assert render(TEXTS, "identifiers_masked", "en").startswith("For your safety")
