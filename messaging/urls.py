"""URLs of this app; included by smartclinic.urls_public / urls_clinic."""

from django.urls import path

from messaging import views

urlpatterns = [
    path("webhooks/whatsapp", views.WhatsAppWebhook.as_view(), name="whatsapp-webhook"),
]
