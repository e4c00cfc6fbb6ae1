"""URLs of this app; included by smartclinic.urls_public / urls_clinic."""

from django.urls import path

from messaging import simulator, views

urlpatterns = [
    path("webhooks/whatsapp", views.WhatsAppWebhook.as_view(), name="whatsapp-webhook"),
    # Operator-only and public-site-only; each view answers 404 unless SIMULATOR_ENABLED.
    path("simulator/", simulator.page, name="simulator"),
    path("simulator/send", simulator.send, name="simulator-send"),
    path("simulator/replies", simulator.replies, name="simulator-replies"),
]
