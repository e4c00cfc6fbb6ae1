"""The clinic's own domain: the waiting-room queue board, and the desk pages inside the clinic admin."""

from django.urls import path

from clinics.frontdesk import views
from smartclinic.admin_sites import clinic_site

app_name = "frontdesk"

urlpatterns = [
    path("queue/board", views.queue_board, name="queue-board"),
    path("queue/board.json", views.queue_board_json, name="queue-board-json"),
    # Included before the admin in urls_clinic, so these live under /admin/ with its login.
    path("admin/queue/", clinic_site.admin_view(views.queue_desk), name="queue-desk"),
    path("admin/queue/call-next", clinic_site.admin_view(views.queue_call_next), name="queue-call-next"),
    path("admin/queue/live", clinic_site.admin_view(views.queue_desk_live), name="queue-desk-live"),
    path("admin/queue/<int:pk>/recall", clinic_site.admin_view(views.queue_recall), name="queue-recall"),
    path("admin/queue/<int:pk>/skip", clinic_site.admin_view(views.queue_skip), name="queue-skip"),
    path("admin/queue/new-ticket", clinic_site.admin_view(views.queue_new_ticket), name="queue-new-ticket"),
    path("admin/calendar/", clinic_site.admin_view(views.calendar), name="calendar"),
    path("admin/statistics/", clinic_site.admin_view(views.clinic_statistics), name="statistics"),
]
