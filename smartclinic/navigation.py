"""The admin's sidebar and index page (Unfold's SIDEBAR and DASHBOARD_CALLBACK), for both sites.

Both admin sites read the one UNFOLD dict, so the sidebar is a callable that hands Unfold only
the current site's groups: Unfold turns every item's link into a string (to mark the active one)
before it asks the item's permission, and a clinic page's URL does not exist on the operator
site (NoReverseMatch). Each item's permission still checks the site, then the user's rights.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext

# Chinese for the labels the shared catalogue does not have yet (the .po wins once it does).
ZH = {
    "Overview": "概覽",
    "Today": "今日",
    "Inbox": "訊息收件箱",
    "Patients & appointments": "病人及預約",
    "Clinic setup": "診所設定",
    "Roles": "職位",
    "Activity log": "活動記錄",
    "Requests": "私隱要求",
    "Refusal log": "拒絕記錄",
    "Deletion certificates": "刪除證明書",
    "Policy versions": "私隱政策版本",
    "Usage": "使用量",
    "Upcoming deletions": "即將刪除",
    "Disclosure log": "披露記錄",
    "Retention floors": "最短保存期",
    "Departure exports": "離開診所匯出",
    "Tools": "工具",
    "Patient simulator": "病人模擬器",
    "Staff accounts": "職員帳戶",
    "Appointments today": "今日預約",
    "Waiting in the queue": "排隊等候中",
    "Unread conversations": "未讀對話",
    "Urgent conversations": "緊急對話",
}


def _label(text: str) -> str:
    translated = gettext(text)
    if translated == text and (get_language() or "").startswith("zh"):
        return ZH.get(text, text)
    return translated


_ = lazy(_label, str)  # named _ so makemessages collects these labels


# --- who sees what ----------------------------------------------------------------------
def on_operator_site(request) -> bool:
    tenant = getattr(request, "tenant", None)
    return (tenant.schema_name if tenant is not None else connection.schema_name) == "public"


def is_manager(request) -> bool:
    return request.user.is_superuser or request.user.groups.filter(name="manager").exists()


def _clinic(*perms: str, managers_only: bool = False):
    def allowed(request) -> bool:
        if on_operator_site(request) or not request.user.has_perms(perms):
            return False
        return is_manager(request) if managers_only else True

    return allowed


def _operator(*perms: str, simulator: bool = False):
    def allowed(request) -> bool:
        if not on_operator_site(request) or not request.user.has_perms(perms):
            return False
        return settings.SIMULATOR_ENABLED if simulator else True

    return allowed


def _unread_conversations() -> int:
    from messaging import selectors

    return selectors.inbox().filter(unread__gt=0).count()


class _Badge:
    """A sidebar count, run only when its item is shown (Unfold checks the permission first) and hidden at zero.

    (Unfold's own string badge callbacks still draw an empty badge for nothing to read.)
    """

    def __init__(self, count) -> None:
        self.count = count
        self.value = None

    def __deepcopy__(self, memo):
        return _Badge(self.count)  # Unfold copies the navigation for each request: count afresh

    def __bool__(self) -> bool:
        return int(str(self)) > 0

    def __str__(self) -> str:
        if self.value is None:
            self.value = self.count()
        return str(self.value)


def _item(title, icon: str, url_name: str, permission, **extra) -> dict:
    return {"title": title, "icon": icon, "link": reverse_lazy(url_name), "permission": permission, **extra}


def _changelist(title, icon: str, model: str, permission=None, **extra) -> dict:
    """A model's list page; `model` is "app_label.modelname", seen with that model's view right."""
    app_label, model_name = model.split(".")
    allowed = permission or _clinic(f"{app_label}.view_{model_name}")
    return _item(title, icon, f"admin:{app_label}_{model_name}_changelist", allowed, **extra)


CLINIC_NAVIGATION = [
    {
        "title": _("Today"),
        "items": [
            _item(_("Overview"), "dashboard", "admin:index", _clinic()),
            _item(
                _("Queue desk"), "confirmation_number", "frontdesk:queue-desk", _clinic("frontdesk.change_queueticket")
            ),
            _item(
                _("Appointments calendar"),
                "calendar_month",
                "frontdesk:calendar",
                _clinic("frontdesk.view_appointment"),
            ),
            _changelist(
                _("Inbox"),
                "forum",
                "messaging.conversation",
                badge=_Badge(_unread_conversations),
                badge_variant="danger",
            ),
            _item(_("Statistics"), "monitoring", "frontdesk:statistics", _clinic(managers_only=True)),
        ],
    },
    {
        "title": _("Patients & appointments"),
        "items": [
            _changelist(_("Patients"), "group", "frontdesk.patient"),
            _changelist(_("Appointments"), "event", "frontdesk.appointment"),
            _changelist(_("Reminders"), "notifications", "frontdesk.reminder"),
            _changelist(_("Queue tickets"), "format_list_numbered", "frontdesk.queueticket"),
        ],
    },
    {
        "title": _("Clinic setup"),
        "items": [
            _changelist(_("Doctors"), "stethoscope", "frontdesk.doctor"),
            _changelist(_("Closures"), "event_busy", "frontdesk.closure"),
            _changelist(_("FAQs"), "quiz", "frontdesk.faq"),
            _changelist(
                _("Clinic settings"),
                "settings",
                "frontdesk.clinicsettings",
                _clinic("frontdesk.change_clinicsettings"),
            ),
        ],
    },
    {
        "title": _("Staff"),
        "items": [
            _changelist(_("Staff accounts"), "badge", "auth.user", _clinic("auth.view_user", managers_only=True)),
            _changelist(
                _("Roles"), "admin_panel_settings", "auth.group", _clinic("auth.view_group", managers_only=True)
            ),
            _changelist(
                _("Activity log"), "history", "auditlog.logentry", _clinic("auditlog.view_logentry", managers_only=True)
            ),
        ],
    },
]

OPERATOR_NAVIGATION = [
    {
        "title": _("Clinics"),
        "items": [
            _item(_("Overview"), "dashboard", "admin:index", _operator()),
            _changelist(_("Clinics"), "local_hospital", "clinics.clinic", _operator("clinics.view_clinic")),
            _changelist(
                _("WhatsApp numbers"),
                "phone_iphone",
                "clinics.whatsappnumber",
                _operator("clinics.view_whatsappnumber"),
            ),
            _item(_("Usage"), "bar_chart", "operator-usage", _operator()),
            _changelist(
                _("Upcoming deletions"),
                "auto_delete",
                "privacy.upcomingdeletion",
                _operator("privacy.view_upcomingdeletion"),
            ),
        ],
    },
    {
        "title": _("Privacy"),
        "items": [
            _changelist(
                _("Requests"), "assignment_ind", "privacy.privacyrequest", _operator("privacy.view_privacyrequest")
            ),
            _changelist(
                _("Refusal log"), "block", "privacy.refusallogentry", _operator("privacy.view_refusallogentry")
            ),
            _changelist(
                _("Deletion certificates"),
                "verified",
                "privacy.deletioncertificate",
                _operator("privacy.view_deletioncertificate"),
            ),
            _changelist(
                _("Policy versions"), "policy", "privacy.policyversion", _operator("privacy.view_policyversion")
            ),
            _changelist(
                _("Disclosure log"), "outgoing_mail", "privacy.disclosurelog", _operator("privacy.view_disclosurelog")
            ),
            _changelist(
                _("Retention floors"), "timer", "privacy.retentionfloor", _operator("privacy.view_retentionfloor")
            ),
            _changelist(
                _("Departure exports"), "archive", "privacy.clinicexport", _operator("privacy.view_clinicexport")
            ),
        ],
    },
    {
        "title": _("Tools"),
        "items": [_item(_("Patient simulator"), "smartphone", "simulator", _operator(simulator=True))],
    },
    {
        "title": _("Staff"),
        "items": [
            _changelist(_("Staff accounts"), "badge", "auth.user", _operator("auth.view_user")),
            _changelist(_("Roles"), "admin_panel_settings", "auth.group", _operator("auth.view_group")),
            _changelist(_("Activity log"), "history", "auditlog.logentry", _operator("auditlog.view_logentry")),
        ],
    },
]


def sidebar(request) -> list[dict]:
    """SIDEBAR["navigation"]: only this site's groups (see the module's docstring)."""
    return OPERATOR_NAVIGATION if on_operator_site(request) else CLINIC_NAVIGATION


# --- counts -----------------------------------------------------------------------------
def dashboard(request, context: dict) -> dict:
    """DASHBOARD_CALLBACK: today's counts on the clinic's index page, each linking to its page."""
    if on_operator_site(request):
        return context
    from clinics.frontdesk import selectors as frontdesk
    from clinics.frontdesk.models import Appointment
    from messaging import selectors as messaging

    user, cards = request.user, []
    if user.has_perm("frontdesk.view_appointment"):
        day = timezone.localdate()
        start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
        booked = frontdesk.appointments_between(start=start, end=start + timedelta(days=1))
        count = booked.exclude(status__in=Appointment.INACTIVE).count()
        cards.append((_("Appointments today"), "event", count, reverse("frontdesk:calendar"), False))
    if user.has_perm("frontdesk.view_queueticket"):
        waiting = frontdesk.queue_board()["waiting_count"]
        desk = user.has_perm("frontdesk.change_queueticket")
        link = reverse("frontdesk:queue-desk" if desk else "admin:frontdesk_queueticket_changelist")
        cards.append((_("Waiting in the queue"), "confirmation_number", waiting, link, False))
    if user.has_perm("messaging.view_conversation"):
        inbox = reverse("admin:messaging_conversation_changelist")
        cards.append((_("Unread conversations"), "mark_chat_unread", _unread_conversations(), inbox, False))
        urgent = messaging.inbox().filter(urgent=True).count()
        cards.append((_("Urgent conversations"), "emergency", urgent, f"{inbox}?urgent__exact=1", urgent > 0))
    context["today_cards"] = [
        {"title": title, "icon": icon, "count": count, "link": link, "alert": alert}
        for title, icon, count, link, alert in cards
    ]
    return context
