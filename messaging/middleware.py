"""The webhook's fast path: Meta's POSTs skip the middleware the webhook has no use for.

The webhook authenticates by signature, is CSRF-exempt, keeps no session and knows its clinic
from the body, so the tenant lookup by host, sessions, auth, two-factor, axes, CSP and the
activity log add only time (the tenant lookup alone is two database round trips). This sits
first in MIDDLEWARE and hands POST /webhooks/whatsapp straight to the function behind the DRF
view's post, skipping DRF's dispatch too (negotiation, authentication, throttles: unused here).
"""

from django.db import connection

WEBHOOK_PATH = "/webhooks/whatsapp"


def webhook_fast_path(get_response):
    from messaging.views import receive

    def middleware(request):
        if request.method == "POST" and request.path_info == WEBHOOK_PATH:
            connection.set_schema_to_public()  # no query; the webhook names each clinic's schema itself
            return receive(request)
        return get_response(request)

    return middleware
