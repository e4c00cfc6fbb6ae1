"""The public domain: operator admin, the WhatsApp webhook, the privacy policy, health."""

from django.urls import include, path

from smartclinic.admin_sites import operator_site
from smartclinic.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("messaging.urls")),
    path("", include("privacy.urls")),
    path("admin/", operator_site.urls),
]
