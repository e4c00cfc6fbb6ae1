"""URLs of this app; included by smartclinic.urls_public / urls_clinic."""

urlpatterns: list = []
