"""The personal_data.py protocol: each app that stores personal data declares it in one module.

A module `<app>/personal_data.py` defines
- `HOLDINGS: list[Holding]`: every model holding a patient's data, in erase order (children first),
  the patient itself last;
- `NO_PERSONAL_DATA: list[str]`: labels ("frontdesk.Doctor") of its models that hold none.

`privacy` only calls these; it never guesses at another app's models. All calls run inside the
clinic's schema.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.db.models import Model, QuerySet


def _no_files(row: Model) -> list:
    return []


@dataclass(frozen=True)
class Holding:
    model: type[Model]
    category: str  # key in data.json and index.html; RetentionCategory value when a floor may apply
    rows: Callable[[Model], QuerySet]  # patient -> this model's rows about them
    export: Callable[[Model], dict]  # row -> JSON-able dict
    label: dict[str, str] = field(default_factory=dict)  # {"en": ..., "zh-Hant-HK": ...}
    dated_by: str | None = None  # field compared with the clinic's retention floor
    floor: str | None = None  # RetentionCategory whose floor applies; defaults to `category`
    files: Callable[[Model], list[str]] = _no_files  # row -> media paths (relative to MEDIA_ROOT) to export/delete
    decrypt: Callable[[bytes], bytes] | None = None  # stored file bytes -> plain bytes for the export
    erase: Callable[[QuerySet], None] | None = None  # default: delete the rows
    correctable: tuple[str, ...] = ()  # fields a correction request may change (on the patient)
    is_subject: bool = False  # the Patient row itself

    @property
    def label_text(self) -> str:
        return self.model._meta.label


def personal_data_modules() -> list:
    modules = []
    for config in apps.get_app_configs():
        try:
            modules.append(import_module(f"{config.name}.personal_data"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.personal_data":
                raise
    return modules


def holdings() -> list[Holding]:
    """Every declared holding; the subject (Patient) comes last so it is erased after its rows."""
    found = [holding for module in personal_data_modules() for holding in module.HOLDINGS]
    return [h for h in found if not h.is_subject] + [h for h in found if h.is_subject]


def declared_without_personal_data() -> set[str]:
    return {label for module in personal_data_modules() for label in getattr(module, "NO_PERSONAL_DATA", [])}


def subject_holding() -> Holding:
    return next(h for h in holdings() if h.is_subject)
