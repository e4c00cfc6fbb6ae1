"""Exports: a patient's own data (s.18 access) and a departing clinic's whole schema."""

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
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


# index.html labels for the export keys that are not a model field's own name (those use its verbose name).
KEY_LABELS = {
    "whatsapp_number": {"en": "WhatsApp number", "zh-Hant-HK": "WhatsApp 號碼"},
    "reminders_stopped_at": {"en": "Reminders stopped at", "zh-Hant-HK": "停止接收提示的時間"},
    "first_contact": {"en": "First contact", "zh-Hant-HK": "首次聯絡"},
    "doctor": {"en": "Doctor", "zh-Hant-HK": "醫生"},
    "booked_via": {"en": "Booked via", "zh-Hant-HK": "預約途徑"},
    "booked_at": {"en": "Booked at", "zh-Hant-HK": "預約時間"},
    "joined_via": {"en": "Joined via", "zh-Hant-HK": "取籌途徑"},
    "visit_on": {"en": "Visit date", "zh-Hant-HK": "應診日期"},
    "send_at": {"en": "Scheduled for", "zh-Hant-HK": "預定發送時間"},
    "sent_at": {"en": "Sent at", "zh-Hant-HK": "實際發送時間"},
    "sheet": {"en": "Worksheet", "zh-Hant-HK": "工作表"},
    "values": {"en": "Row", "zh-Hant-HK": "資料列"},
    "queued_at": {"en": "Queued at", "zh-Hant-HK": "排入時間"},
    "at": {"en": "Time", "zh-Hant-HK": "時間"},
    "content": {"en": "Content", "zh-Hant-HK": "內容"},
    "sent_by_staff": {"en": "Sent by clinic staff", "zh-Hant-HK": "由診所職員發送"},
    "message_at": {"en": "Message time", "zh-Hant-HK": "訊息時間"},
    "type": {"en": "File type", "zh-Hant-HK": "檔案類型"},
    "file_name": {"en": "File name", "zh-Hant-HK": "檔案名稱"},
    "size": {"en": "Size (bytes)", "zh-Hant-HK": "大小（位元組）"},
    "started_at": {"en": "Started at", "zh-Hant-HK": "開始時間"},
    "last_message_at": {"en": "Last message at", "zh-Hant-HK": "最後訊息時間"},
    "dialogue_state": {"en": "Conversation progress", "zh-Hant-HK": "對話進度"},
    "urgent_reason": {"en": "Reason marked urgent", "zh-Hant-HK": "標示為緊急的原因"},
    "privacy_policy_version_shown": {"en": "Privacy policy version shown", "zh-Hant-HK": "已顯示的私隱政策版本"},
    "privacy_policy_shown_at": {"en": "Privacy policy shown at", "zh-Hant-HK": "顯示私隱政策的時間"},
    "received_at": {"en": "Received at", "zh-Hant-HK": "接收時間"},
    "payload": {"en": "As delivered", "zh-Hant-HK": "原始內容"},
    "files": {"en": "Files", "zh-Hant-HK": "檔案"},
}
YES_NO = {"en": ("Yes", "No"), "zh-Hant-HK": ("是", "否")}
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _readable_value(value, *, key: str, fields: dict, row: Model, language: str) -> str:
    """A value as a person reads it: choice labels, Hong Kong local date-times, yes/no. Call under override."""
    if value is None or value in ("", {}, []):
        return ""
    if isinstance(value, bool):
        return YES_NO[language][0 if value else 1]
    if isinstance(value, str):
        field = fields.get(key)
        if field is None:  # renamed in the export ("booked_via"): the row's choice field holding this value
            field = next((f for f in fields.values() if f.choices and getattr(row, f.attname, None) == value), None)
        if field is not None and field.choices:
            shown = str(dict(field.flatchoices).get(value, value))
            return shown[:1].upper() + shown[1:]
        if ISO_DATETIME.match(value):
            moment = datetime.fromisoformat(value)
            return formats.date_format(
                timezone.localtime(moment) if timezone.is_aware(moment) else moment, "DATETIME_FORMAT"
            )
        if ISO_DATE.match(value):
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        return value
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return str(value)


def readable_record(*, model: type[Model], row: Model, record: dict, language: str) -> list[tuple[str, str]]:
    """One exported record for index.html: labels and values in `language` (data.json keeps the raw record)."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    readable = []
    with translation.override("zh-hant" if language.startswith("zh") else "en"):
        for key, value in record.items():
            if key in KEY_LABELS:
                label = KEY_LABELS[key][language]
            elif key in fields:
                label = str(fields[key].verbose_name)
                label = label[:1].upper() + label[1:]
            else:
                label = key.replace("_", " ").capitalize()
            readable.append((label, _readable_value(value, key=key, fields=fields, row=row, language=language)))
    return readable


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
    readable: dict[str, list[dict]] = {}
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
                readable.setdefault(holding.category, []).append(
                    readable_record(model=holding.model, row=row, record=record, language=language)
                )
            entry = categories.setdefault(holding.category, {"label": holding.label, "records": []})
            entry["records"].extend(records)
        disclosures = []
        for d in DisclosureLog.objects.filter(clinic=clinic, patient_hash=keyed_hash(patient.wa_id)):
            record = {"recipient": d.recipient, "purpose": d.purpose, "disclosed_at": d.disclosed_at.isoformat()}
            disclosures.append(record)
            readable.setdefault("disclosures", []).append(
                readable_record(model=DisclosureLog, row=d, record=record, language=language)
            )
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
        with translation.override("zh-hant" if language.startswith("zh") else "en"):
            shown_today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
        words = {
            k: v.format(clinic=clinic.name_for(language), reference=reference, date=shown_today)
            for k, v in HEADINGS[language].items()
        }
        sections = [
            {
                "label": entry["label"].get(language) or entry["label"].get("en") or key,
                "records": readable.get(key, []),
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
