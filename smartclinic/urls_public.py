"""The public domain: operator admin, the WhatsApp webhook, the privacy policy, health."""

from django.urls import include, path

from clinics.usage import usage_view
from smartclinic.admin_sites import operator_site
from smartclinic.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("messaging.urls")),
    path("", include("privacy.urls")),
    path("admin/usage/", operator_site.admin_view(usage_view), name="operator-usage"),
    path("admin/", operator_site.urls),
]
