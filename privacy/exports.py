"""Exports: a patient's own data (s.18 access) and a departing clinic's whole schema."""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from clinics.models import Clinic
from privacy.models import ClinicExport, DisclosureLog
from privacy.texts import text_language
from privacy.walker import Holding, holdings
from smartclinic.crypto import keyed_hash

HEADINGS = {
    "en": {
        "title": "Your personal data held by {clinic}",
        "intro": "This is a copy of the personal data {clinic} holds about you, made for request {reference} on "
        "{date}. SmartClinic runs the WhatsApp service for the clinic. The file data.json holds the same "
        "data in machine-readable form; your photos and files are in the media folder.",
        "none": "None held.",
        "files": "Files",
        "disclosures": "Who received your data",
    },
    "zh-Hant-HK": {
        "title": "{clinic}持有的你的個人資料",
        "intro": "這是{clinic}持有關於你的個人資料副本，於 {date} 因應要求 {reference} 製備。SmartClinic 代診所營運 "
        "WhatsApp 服務。data.json 以機器可讀格式載有相同資料；你的相片及檔案在 media 資料夾內。",
        "none": "沒有持有。",
        "files": "檔案",
        "disclosures": "曾接收你的資料的人士",
    },
}


@dataclass(frozen=True)
class PatientExport:
    zip_bytes: bytes
    counts: dict[str, int]
    file_count: int


def _label(holding: Holding, language: str) -> str:
    return holding.label.get(language) or holding.label.get("en") or holding.model._meta.verbose_name_plural


def _file_bytes(holding: Holding, relative: str) -> bytes | None:
    stored = Path(settings.MEDIA_ROOT) / relative
    if not stored.is_file():
        return None
    data = stored.read_bytes()
    return holding.decrypt(data) if holding.decrypt is not None else data


def _zip_name(holding: Holding, row, relative: str) -> str:
    return f"media/{holding.category}/{row.pk}-{Path(relative).name.removesuffix('.enc')}"


def patient_export(*, clinic: Clinic, wa_id: str, language: str, reference: str) -> PatientExport:
    """data.json (every category, machine-readable), index.html (readable, in `language`) and media."""
    from privacy.services import find_patient

    language = text_language(language)
    buffer = io.BytesIO()
    categories: dict[str, dict] = {}
    file_count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, tenant_context(clinic):
        patient = find_patient(clinic=clinic, wa_id=wa_id)
        for holding in holdings():
            records = []
            for row in holding.rows(patient):
                record = holding.export(row)
                names = []
                for relative in holding.files(row):
                    data = _file_bytes(holding, relative) if relative else None
                    if data is None:
                        continue
                    name = _zip_name(holding, row, relative)
                    archive.writestr(name, data)
                    names.append(name)
                    file_count += 1
                if names:
                    record["files"] = names
                records.append(record)
            entry = categories.setdefault(holding.category, {"label": holding.label, "records": []})
            entry["records"].extend(records)
        disclosures = [
            {"recipient": d.recipient, "purpose": d.purpose, "disclosed_at": d.disclosed_at.isoformat()}
            for d in DisclosureLog.objects.filter(clinic=clinic, patient_hash=keyed_hash(patient.wa_id))
        ]
        categories["disclosures"] = {
            "label": {"en": HEADINGS["en"]["disclosures"], "zh-Hant-HK": HEADINGS["zh-Hant-HK"]["disclosures"]},
            "records": disclosures,
        }
        today = timezone.localdate().isoformat()
        data = {
            "reference": reference,
            "generated_on": today,
            "clinic": {"slug": clinic.slug, "name_en": clinic.name_en, "name_zh": clinic.name_zh},
            "data_user": clinic.name_en,
            "processor": "SmartClinic",
            "language": language,
            "categories": categories,
        }
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        words = {
            k: v.format(clinic=clinic.name_for(language), reference=reference, date=today)
            for k, v in HEADINGS[language].items()
        }
        sections = [
            {
                "label": entry["label"].get(language) or entry["label"].get("en") or key,
                "records": [
                    {k: v for k, v in record.items() if k != "files"}
                    | ({"files": ", ".join(record["files"])} if record.get("files") else {})
                    for record in entry["records"]
                ],
            }
            for key, entry in categories.items()
        ]
        with translation.override("zh-hant" if language.startswith("zh") else "en"):
            html = render_to_string(
                "privacy/export_index.html", {"words": words, "sections": sections, "language": language}
            )
        archive.writestr("index.html", html)
    counts = {key: len(entry["records"]) for key, entry in categories.items()}
    return PatientExport(zip_bytes=buffer.getvalue(), counts=counts, file_count=file_count)


def _tenant_models() -> list:
    labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS} - {"contenttypes", "sessions", "admin", "axes"}
    shared = {app.rsplit(".", 1)[-1] for app in settings.SHARED_APPS}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in labels and model._meta.app_label not in shared and model._meta.managed
    ]


def clinic_export(*, clinic: Clinic) -> ClinicExport:
    """Everything the clinic's schema holds, for the clinic to take with it when it leaves."""
    folder = Path(settings.PRIVACY_FILES_ROOT) / "departures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{clinic.slug}-{timezone.localdate():%Y%m%d}.zip"
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, tenant_context(clinic):
        for model in _tenant_models():
            rows = model.objects.all().order_by("pk")
            counts[model._meta.label] = rows.count()
            archive.writestr(f"tables/{model._meta.label}.json", serializers.serialize("json", rows, indent=1))
        for holding in holdings():
            for row in holding.model.objects.all():
                for relative in holding.files(row):
                    data = _file_bytes(holding, relative) if relative else None
                    if data is not None:
                        archive.writestr(_zip_name(holding, row, relative), data)
    path.chmod(0o600)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ClinicExport.objects.create(
        clinic=clinic,
        clinic_slug=clinic.slug,
        path=str(path),
        sha256=digest,
        size_bytes=path.stat().st_size,
        counts=counts,
    )
