"""The clinic inbox: conversations, a live thread with delivery ticks and media, takeover and replies."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin

from messaging import selectors, services
from messaging.models import Attachment, Conversation
from smartclinic.admin_sites import clinic_site
from smartclinic.crypto import decrypt


@admin.register(Conversation, site=clinic_site)
class ConversationAdmin(ModelAdmin):
    list_display = ("patient_name", "unread_badge", "latest", "last_message_at", "handled_by")
    list_display_links = ("patient_name", "latest")
    search_fields = ("patient__name", "patient__wa_id")
    list_filter = ("urgent", "waiting_for_staff")
    list_per_page = 50
    change_list_template = "messaging/inbox.html"

    def get_queryset(self, request):
        return selectors.inbox()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("patient"), ordering="patient__name")
    def patient_name(self, obj):
        # The marker classes let the inbox page tint urgent and waiting rows.
        if obj.urgent:
            return format_html('<span class="inbox-urgent" title="{}">🚨</span> {}', obj.urgent_reason, obj.patient)
        if obj.waiting_for_staff:
            return format_html(
                '<span class="inbox-waiting" title="{}">⏳</span> {}', _("waiting for staff"), obj.patient
            )
        return str(obj.patient)

    @admin.display(description=_("unread"))
    def unread_badge(self, obj):
        inner = format_html("<strong>{}</strong>", obj.unread) if obj.unread else ""
        return format_html('<span data-unread="{}">{}</span>', obj.pk, inner)

    @admin.display(description=_("latest message"))
    def latest(self, obj):
        return format_html('<span data-latest="{}">{}</span>', obj.pk, selectors.preview(obj))

    def changelist_view(self, request, extra_context=None):
        live = {"inbox_poll_url": reverse("admin:messaging_conversation_inbox_poll")}
        live["inbox_stamp"] = selectors.inbox_live()["stamp"]
        return super().changelist_view(request, extra_context={**live, **(extra_context or {})})

    def inbox_poll_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse(selectors.inbox_live())

    @admin.display(description=_("handled by"))
    def handled_by(self, obj):
        if obj.taken_over_by_id:
            return obj.taken_over_by
        return _("waiting for staff") if obj.waiting_for_staff else _("assistant")

    # --- the thread page and its doors ---------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("poll/", wrap(self.inbox_poll_view), name="messaging_conversation_inbox_poll"),
            path("<int:pk>/poll/", wrap(self.poll_view), name="messaging_conversation_poll"),
            path("<int:pk>/reply/", wrap(require_POST(self.reply_view)), name="messaging_conversation_reply"),
            path(
                "<int:pk>/take-over/", wrap(require_POST(self.take_over_view)), name="messaging_conversation_take_over"
            ),
            path(
                "<int:pk>/hand-back/", wrap(require_POST(self.hand_back_view)), name="messaging_conversation_hand_back"
            ),
            path("attachment/<int:pk>/", wrap(self.attachment_view), name="messaging_attachment"),
            *super().get_urls(),
        ]

    def _conversation(self, request, pk: int, *, change: bool = False) -> Conversation:
        allowed = self.has_change_permission(request) if change else self.has_view_permission(request)
        if not allowed:
            raise PermissionDenied
        return get_object_or_404(Conversation.objects.select_related("patient", "taken_over_by"), pk=pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        conversation = self._conversation(request, int(object_id))
        services.mark_seen(conversation=conversation)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(conversation.patient),
            "conversation": conversation,
            "thread": selectors.thread(conversation=conversation),
            "can_change": self.has_change_permission(request),
            "window_open": services.window_open(conversation),
            "poll_url": reverse("admin:messaging_conversation_poll", args=[conversation.pk]),
        }
        return TemplateResponse(request, "messaging/thread.html", context)

    def poll_view(self, request, pk: int):
        conversation = self._conversation(request, pk)
        try:
            after = int(request.GET.get("after", "0"))
        except ValueError:
            after = 0
        services.mark_seen(conversation=conversation)
        conversation.refresh_from_db()
        return JsonResponse(
            {
                "messages": selectors.thread(conversation=conversation, after=after),
                "ticks": selectors.ticks(conversation=conversation),
                "taken_over": conversation.taken_over_by_id is not None,
                "waiting_for_staff": conversation.waiting_for_staff,
            }
        )

    def reply_view(self, request, pk: int):
        conversation = self._conversation(request, pk, change=True)
        text = request.POST.get("text", "").strip()
        if text:
            services.staff_reply(conversation=conversation, user=request.user, text=text[:4096])
            if not services.window_open(conversation):
                messages.warning(
                    request, _("More than 24 hours since the patient wrote: WhatsApp will not deliver free text.")
                )
        return redirect("admin:messaging_conversation_change", pk)

    def take_over_view(self, request, pk: int):
        conversation = self._conversation(request, pk, change=True)
        services.take_over(conversation=conversation, user=request.user)
        messages.success(request, _("You have taken over: the assistant stays silent until you hand back."))
        return redirect("admin:messaging_conversation_change", pk)

    def hand_back_view(self, request, pk: int):
        conversation = self._conversation(request, pk, change=True)
        services.hand_back(conversation=conversation, user=request.user)
        messages.success(request, _("Handed back to the assistant."))
        return redirect("admin:messaging_conversation_change", pk)

    def attachment_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        attachment = get_object_or_404(Attachment, pk=pk, status=Attachment.Status.STORED)
        clinic_folder = (Path(settings.MEDIA_ROOT) / connection.schema_name).resolve()
        stored = (Path(settings.MEDIA_ROOT) / attachment.path).resolve()
        if not stored.is_relative_to(clinic_folder) or not stored.is_file():
            raise Http404
        response = HttpResponse(
            decrypt(stored.read_bytes()), content_type=attachment.mime_type or "application/octet-stream"
        )
        response["Content-Disposition"] = "inline" if attachment.mime_type.startswith("image/") else "attachment"
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
