"""The floor for bench/webhook_ack.py: a bare Django view that checks the HMAC and commits one INSERT.

No tenancy, no middleware, no DRF: what any webhook costs on this machine and database.
"""

import hashlib
import hmac
import json
import os

import django
from django.conf import settings

if not settings.configured:
    import dj_database_url

    database = dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)
    if "host" in database.get("OPTIONS", {}):  # pgserver hands out a socket dir as ?host=
        database["HOST"] = database["OPTIONS"].pop("host")
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",  # noqa: S106
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        DATABASES={"default": database},
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
    )
    django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

SECRET = os.environ.get("WHATSAPP_APP_SECRET", "dev-app-secret").encode()


@csrf_exempt
def bare(request):
    expected = "sha256=" + hmac.new(SECRET, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponse(status=403)
    body = json.loads(request.body)
    key = body["entry"][0]["changes"][0]["value"].get("messages", [{}])[0].get("id", "")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_event (key, payload) VALUES (%s, %s::jsonb) ON CONFLICT DO NOTHING",
            [key, request.body.decode()],
        )
    return JsonResponse({"ok": True})


urlpatterns = [path("webhooks/whatsapp", bare)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
