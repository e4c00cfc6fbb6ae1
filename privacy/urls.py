"""The privacy policy (public site and every clinic domain) and our staff's export downloads."""

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy", views.policy, name="policy"),
    path("privacy/exports/<str:token>", views.export_download, name="export-download"),
]
