"""Thin doors: the policy page and the expiring export download."""

from django.core import signing
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from privacy import services
from privacy.models import PolicyVersion
from privacy.selectors import current_policy


def _language(request) -> str:
    asked = (request.GET.get("lang") or "").lower()
    if asked.startswith("zh"):
        return "zh-Hant-HK"
    if asked.startswith("en"):
        return "en"
    return "zh-Hant-HK" if translation.get_language_from_request(request).startswith("zh") else "en"


@require_GET
def policy(request):
    language = _language(request)
    version = request.GET.get("v")
    shown = PolicyVersion.objects.filter(version=version).first() if version else None
    if shown is None or not shown.is_published:
        shown = current_policy()
    if shown is None:
        raise Http404("No privacy policy has been published yet.")
    with translation.override("zh-hant" if language.startswith("zh") else "en"):
        return render(
            request,
            "privacy/policy.html",
            {
                "policy": shown,
                "body": shown.body_for(language),
                "language": language,
                "other": "en" if language.startswith("zh") else "zh",
            },
        )


@require_GET
def export_download(request, token: str):
    # Only our staff, only on the public (operator) domain, only while the link is fresh.
    user = request.user
    if connection.schema_name != "public" or not (user.is_authenticated and user.is_staff):
        raise Http404
    if hasattr(user, "is_verified") and not user.is_verified():  # two-factor, as the operator admin asks
        raise Http404
    try:
        privacy_request = services.request_for_export_token(token)
        data = services.export_bytes(request=privacy_request)
    except (signing.BadSignature, FileNotFoundError) as error:
        raise Http404("This link has expired or the export is no longer kept.") from error
    services.record_download(request=privacy_request, user=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{privacy_request.reference}.zip"'
    response["Cache-Control"] = "no-store"
    return response
