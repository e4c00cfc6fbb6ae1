"""Front-desk pages: the waiting-room queue board, and the desk, calendar and statistics in the clinic admin.

The queue board is a screen in the waiting room, usually not logged in: it is reached with
the clinic's secret board key in the address (`/queue/board?key=...`, ClinicSettings; change
the key to revoke a screen) or by a logged-in staff member. It shows numbers only.
"""

import secrets
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics.frontdesk import selectors, services
from clinics.frontdesk.models import Doctor, QueueTicket
from smartclinic.admin_sites import clinic_site


# --- the waiting-room screen ------------------------------------------------------------
def _board_allowed(request: HttpRequest) -> bool:
    if request.user.is_authenticated and request.user.is_staff:
        return True
    key = request.GET.get("key", "")
    return bool(key) and secrets.compare_digest(key, selectors.clinic_settings().queue_board_token)


def queue_board(request: HttpRequest) -> HttpResponse:
    if not _board_allowed(request):
        raise PermissionDenied
    context = {"board": selectors.queue_board(), "key": request.GET.get("key", ""), "clinic": request.tenant}
    return TemplateResponse(request, "frontdesk/queue_board.html", context)


def queue_board_json(request: HttpRequest) -> JsonResponse:
    if not _board_allowed(request):
        raise PermissionDenied
    response = JsonResponse(selectors.queue_board())
    response["Cache-Control"] = "no-store"
    return response


# --- the clinic admin's own pages -----------------------------------------------------------
def _page(request: HttpRequest, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(request, template, {**clinic_site.each_context(request), "title": title, **context})


def _queue_desk_allowed(request: HttpRequest) -> None:
    if not request.user.has_perm("frontdesk.change_queueticket"):
        raise PermissionDenied


def _queue_today() -> dict:
    tickets = QueueTicket.objects.filter(day=timezone.localdate()).select_related("patient").order_by("number")
    return {"board": selectors.queue_board(), "tickets": tickets}


def queue_desk(request: HttpRequest) -> HttpResponse:
    _queue_desk_allowed(request)
    return _page(
        request,
        "frontdesk/queue_desk.html",
        _("Queue desk"),
        board_url=f"{reverse('frontdesk:queue-board')}?key={selectors.clinic_settings().queue_board_token}",
        **_queue_today(),
    )


def queue_desk_live(request: HttpRequest) -> HttpResponse:
    """The desk's now-serving and ticket list alone, which the desk page polls (staff only: it names patients)."""
    _queue_desk_allowed(request)
    response = TemplateResponse(request, "frontdesk/_queue_desk_live.html", _queue_today())
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def queue_call_next(request: HttpRequest) -> HttpResponse:
    _queue_desk_allowed(request)
    ticket = services.call_next(by=request.user)
    if ticket is None:
        messages.info(request, _("Nobody is waiting."))
    else:
        messages.success(request, _("Now calling number %(number)s.") % {"number": ticket.number})
    return redirect("frontdesk:queue-desk")


@require_POST
def queue_recall(request: HttpRequest, pk: int) -> HttpResponse:
    _queue_desk_allowed(request)
    ticket = get_object_or_404(QueueTicket, pk=pk)
    if services.recall_ticket(ticket=ticket, by=request.user):
        messages.success(request, _("Number %(number)s called again.") % {"number": ticket.number})
    else:
        messages.warning(request, _("Number %(number)s is no longer being served.") % {"number": ticket.number})
    return redirect("frontdesk:queue-desk")


@require_POST
def queue_skip(request: HttpRequest, pk: int) -> HttpResponse:
    _queue_desk_allowed(request)
    ticket = get_object_or_404(QueueTicket, pk=pk)
    if services.skip_ticket(ticket=ticket, by=request.user):
        messages.success(request, _("Number %(number)s skipped as a no-show.") % {"number": ticket.number})
    else:
        messages.warning(request, _("Number %(number)s had already left the queue.") % {"number": ticket.number})
    return redirect("frontdesk:queue-desk")


@require_POST
def queue_new_ticket(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("frontdesk.add_queueticket"):
        raise PermissionDenied
    ticket = services.join_queue(patient=None, source=QueueTicket.Source.DESK)
    messages.success(request, _("Ticket number %(number)s issued.") % {"number": ticket.number})
    return redirect("frontdesk:queue-desk")


def calendar(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("frontdesk.view_appointment"):
        raise PermissionDenied
    day = parse_date(request.GET.get("day", "")) or timezone.localdate()
    view = "week" if request.GET.get("view") == "week" else "day"
    doctors = list(Doctor.objects.filter(active=True))
    tz = timezone.get_current_timezone()
    if view == "week":
        start = day - timedelta(days=day.weekday())
        days = [start + timedelta(days=offset) for offset in range(7)]
    else:
        start, days = day, [day]
    appointments = list(
        selectors.appointments_between(
            start=datetime.combine(days[0], time.min, tzinfo=tz),
            end=datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz),
        )
    )
    step = timedelta(days=7 if view == "week" else 1)
    context = {
        "day": day,
        "view": view,
        "previous": day - step,
        "next": day + step,
        "doctors": doctors,
        "add_url": reverse("admin:frontdesk_appointment_add"),
    }
    if view == "day":
        context["rows"] = _day_grid(day, doctors, appointments)
        context["closed"] = selectors.closed_reason(day)
        context["holiday"] = selectors.holiday_name(day)
    else:
        context["week"] = [
            {
                "day": each,
                "closed": selectors.closed_reason(each),
                "appointments": [a for a in appointments if timezone.localtime(a.starts_at).date() == each],
            }
            for each in days
        ]
    return _page(request, "frontdesk/calendar.html", _("Appointments calendar"), **context)


def _day_grid(day: date, doctors: list[Doctor], appointments: list) -> list[dict]:
    """Rows of (time, one cell per doctor): an appointment, a free slot, or nothing."""
    slots = {doctor.pk: set(selectors.session_slots(doctor=doctor, day=day)) for doctor in doctors}
    booked = {
        (a.doctor_id, timezone.localtime(a.starts_at)): a for a in appointments if a.active or a.status == "completed"
    }
    times = sorted({t for each in slots.values() for t in each} | {when for _, when in booked})
    now = timezone.now()
    return [
        {
            "time": when,
            "cells": [
                {
                    "doctor": doctor,
                    "appointment": booked.get((doctor.pk, when)),
                    "free": when in slots[doctor.pk] and when > now and (doctor.pk, when) not in booked,
                    "iso": when.strftime("%Y-%m-%d %H:%M"),
                }
                for doctor in doctors
            ],
        }
        for when in times
    ]


def clinic_statistics(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_superuser or request.user.groups.filter(name="manager").exists()):
        raise PermissionDenied
    days = 30
    stats = selectors.clinic_statistics(days=days)
    charts = [
        selectors.bar_chart(
            title=_("Messages from patients per day"), days=stats["days"], values=stats["messages_in"], colour="#2563eb"
        ),
        selectors.bar_chart(
            title=_("Messages to patients per day"), days=stats["days"], values=stats["messages_out"], colour="#16a34a"
        ),
        selectors.bar_chart(
            title=_("Average queue wait per day (minutes)"),
            days=stats["days"],
            values=stats["queue_wait_minutes"],
            colour="#d97706",
        ),
    ]
    return _page(request, "frontdesk/statistics.html", _("Statistics"), stats=stats, charts=charts, days=days)
