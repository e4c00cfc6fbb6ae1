"""Playing the patient without Meta: webhook bodies as WhatsApp builds them, and replies as it shows them.

Used by `manage.py chat` and the operator's simulator page.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from django.conf import settings


def patient_message(*, wa_id: str, line: str, choices: dict[str, dict], context_wamid: str = "") -> dict:
    """Meta's message object for a typed line; `#button:<id>` / `#list:<id>` press a reply button or list row."""
    message = {"from": wa_id, "id": f"wamid.sim.{uuid.uuid4().hex}", "timestamp": str(int(time.time()))}
    for prefix, kind in (("#button:", "button_reply"), ("#list:", "list_reply")):
        if line.startswith(prefix):
            choice_id = line[len(prefix) :].strip()
            known = choices.get(choice_id)
            if known is None or kind not in known:
                known = {"type": kind, kind: {"id": choice_id, "title": choice_id[:24]}}
            message.update(type="interactive", interactive=known)
            if context_wamid:
                message["context"] = {"id": context_wamid}
            return message
    return {**message, "type": "text", "text": {"body": line}}


def envelope(*, phone_number_id: str, display_phone: str, wa_id: str, name: str, message: dict) -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "".join(c for c in display_phone if c.isdigit()),
            "phone_number_id": phone_number_id,
        },
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "0", "changes": [{"field": "messages", "value": value}]}],
    }


def signature(body: bytes) -> str:
    return "sha256=" + hmac.new(settings.WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def reply_shape(payload: dict) -> dict:
    """What the patient sees of one outbound Graph body, in the shape of issue 4."""
    kind = payload.get("type")
    if kind == "text":
        return {"type": "text", "text": payload["text"]["body"]}
    if kind == "template":
        template = payload["template"]
        return {"type": "template", "name": template["name"], "language": template["language"]["code"]}
    if kind == "interactive":
        interactive = payload["interactive"]
        text = interactive.get("body", {}).get("text", "")
        if interactive.get("type") == "button":
            buttons = [{"id": b["reply"]["id"], "title": b["reply"]["title"]} for b in interactive["action"]["buttons"]]
            return {"type": "buttons", "text": text, "buttons": buttons}
        if interactive.get("type") == "list":
            sections = [
                {
                    "title": section.get("title", ""),
                    "rows": [
                        {"id": row["id"], "title": row["title"], "description": row.get("description", "")}
                        for row in section["rows"]
                    ],
                }
                for section in interactive["action"]["sections"]
            ]
            return {"type": "list", "text": text, "button": interactive["action"]["button"], "sections": sections}
    return {"type": kind or "unknown"}


def remember_choices(reply: dict, choices: dict[str, dict]) -> None:
    """What WhatsApp would send back when the patient presses one of this reply's buttons or rows."""
    for button in reply.get("buttons", []):
        choices[button["id"]] = {"type": "button_reply", "button_reply": button}
    for section in reply.get("sections", []):
        for row in section["rows"]:
            choices[row["id"]] = {"type": "list_reply", "list_reply": row}


# --- the operator's simulator page (public site, SIMULATOR_ENABLED only) ---------------------
def _operator_only(view):
    from django.db import connection
    from django.http import Http404

    from smartclinic.admin_sites import operator_site

    protected = operator_site.admin_view(view)  # signed in to the operator admin, two factors included

    def guarded(request, *args, **kwargs):
        if not settings.SIMULATOR_ENABLED or connection.schema_name != "public":
            raise Http404
        return protected(request, *args, **kwargs)

    return guarded


def _clinic_number(slug: str):
    from clinics.models import WhatsAppNumber

    return (
        WhatsAppNumber.objects.select_related("clinic")
        .filter(clinic__slug=slug, clinic__status="active", active=True)
        .order_by("pk")
        .first()
    )


@_operator_only
def page(request):
    from django.template.response import TemplateResponse
    from django.utils.translation import gettext as _

    from clinics.models import Clinic
    from smartclinic.admin_sites import operator_site

    clinics = (
        Clinic.objects.filter(status="active", whatsapp_numbers__active=True).exclude(schema_name="public").distinct()
    )
    # Inside the operator admin's frame: its sidebar, header and tab title.
    context = {**operator_site.each_context(request), "clinics": clinics, "title": _("Patient simulator")}
    return TemplateResponse(request, "messaging/simulator.html", context)


@_operator_only
def send(request):
    import json

    from django.http import HttpResponseNotAllowed, JsonResponse
    from django.test import RequestFactory

    from messaging.views import WhatsAppWebhook

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        data = json.loads(request.body)
        slug, wa_id, line = str(data["clinic"]), str(data["wa_id"]), str(data["line"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "clinic, wa_id and line are required"}, status=400)
    number = _clinic_number(slug)
    if number is None or not wa_id.isdigit() or not line.strip():
        return JsonResponse({"error": "unknown clinic, or a bad number or line"}, status=400)
    choice = data.get("choice") if isinstance(data.get("choice"), dict) else None
    choices = {line.split(":", 1)[-1]: choice} if choice else {}
    message = patient_message(wa_id=wa_id, line=line, choices=choices, context_wamid=str(data.get("context") or ""))
    body = json.dumps(
        envelope(
            phone_number_id=number.phone_number_id,
            display_phone=number.display_phone,
            wa_id=wa_id,
            name=str(data.get("name") or ""),
            message=message,
        )
    ).encode()
    # Through the real webhook view, signed as Meta signs, without a round trip over the network.
    webhook_request = RequestFactory().post(
        "/webhooks/whatsapp", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature(body)
    )
    answer = WhatsAppWebhook.as_view()(webhook_request)
    return JsonResponse({"webhook_status": answer.status_code, "wamid": message["id"]})


@_operator_only
def replies(request):
    from django.http import JsonResponse
    from django_tenants.utils import tenant_context

    from messaging.models import Message

    number = _clinic_number(request.GET.get("clinic", ""))
    wa_id = request.GET.get("wa_id", "")
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    if number is None or not wa_id.isdigit():
        return JsonResponse({"error": "unknown clinic or number"}, status=400)
    with tenant_context(number.clinic):
        rows = Message.objects.filter(
            conversation__patient__wa_id=wa_id, direction=Message.Direction.OUT, pk__gt=after
        ).order_by("pk")
        found = [
            {"id": row.pk, "status": row.status, "wamid": row.wamid or "", **reply_shape(row.payload)}
            for row in rows[:50]
        ]
    return JsonResponse({"replies": found})
