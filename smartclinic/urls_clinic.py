"""A clinic's own domain: its admin, the queue board, the privacy policy, health."""

from django.urls import include, path

from smartclinic.admin_sites import clinic_site
from smartclinic.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("messaging.urls")),
    path("", include("privacy.urls")),
    path("", include("clinics.frontdesk.urls")),
    path("admin/", clinic_site.urls),
]
