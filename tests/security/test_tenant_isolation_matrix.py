"""Every admin and API URL, as {this clinic's staff, another clinic's staff, our staff, anonymous}.

URLs are discovered from the admin registries and the URLconfs at run time, so a model or a page
added later is covered without touching this file. Each role walks every URL in one test (logins
are slow) and the test lists every URL that misbehaved.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import Doctor, Patient, WorkingHours
from smartclinic.admin_sites import clinic_site, operator_site
from smartclinic.otp import current_code, enrol
from tests.conftest import PASSWORD, admin_login, clinic_client
from tests.messaging.messaging_factories import ConversationFactory, OutboundFactory

MARKER = "ZQXBETAONLY"  # written into beta only: must never appear on alpha's host
NEVER_WALKED = {"logout", "login", "password_change", "password_change_done", "jsi18n", "set_language"}


def walk(patterns, prefix=""):
    """(url, name) for every pattern without arguments, through includes."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and not pattern.pattern.regex.groups:
            route = prefix + str(pattern.pattern)
            yield "/" + route.lstrip("^").rstrip("$").replace("\\Z", "").replace("^", ""), pattern.name or ""


def admin_urls(site, host_client_for_pk) -> dict[str, str]:
    """url → kind ('list', 'add', 'change', 'page', 'public') for one site and its URLconf."""
    urls = {}
    for model in site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls[reverse(f"admin:{info[0]}_{info[1]}_changelist", urlconf=site_urlconf(site))] = "list"
        urls[reverse(f"admin:{info[0]}_{info[1]}_add", urlconf=site_urlconf(site))] = "add"
        pk = host_client_for_pk(model)
        if pk is not None:
            urls[reverse(f"admin:{info[0]}_{info[1]}_change", args=[pk], urlconf=site_urlconf(site))] = "change"
    for url, name in walk(get_resolver(site_urlconf(site)).url_patterns):
        if name in NEVER_WALKED or url in urls or "/webhooks/" in url:
            continue
        urls[url] = "page" if url.startswith("/admin/") else "public"
    return urls


def site_urlconf(site) -> str:
    return settings.ROOT_URLCONF if site is clinic_site else settings.PUBLIC_SCHEMA_URLCONF


def fill_alpha_and_mark_beta(alpha, beta) -> None:
    with tenant_context(alpha):
        doctor = Doctor.objects.create(name_en="Dr Alpha", name_zh="阿醫生", slot_minutes=15)
        WorkingHours.objects.create(doctor=doctor, weekday=0, starts_at=dt.time(9), ends_at=dt.time(13))
        OutboundFactory(conversation=ConversationFactory(patient__name="Alpha Patient"), text="alpha hello")
    with tenant_context(beta):
        doctor = Doctor.objects.create(name_en=f"Dr {MARKER}", name_zh=MARKER, slot_minutes=15)
        WorkingHours.objects.create(doctor=doctor, weekday=0, starts_at=dt.time(9), ends_at=dt.time(13))
        OutboundFactory(
            conversation=ConversationFactory(patient__name=MARKER, patient__wa_id="85290000999"), text=MARKER
        )
        Patient.objects.get_or_create(wa_id="85290000998", defaults={"name": MARKER})


def first_pk(clinic):
    def pk_of(model):
        if clinic is None:
            row = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            return row
        with tenant_context(clinic):
            return model._default_manager.order_by("pk").values_list("pk", flat=True).first()

    return pk_of


def to_login(response) -> bool:
    return response.status_code == 302 and "/admin/login/" in response["Location"]


def session_of(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def with_session(host_client: Client, cookie: str) -> Client:
    host_client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return host_client


def operator_session() -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("ops-matrix", "ops-matrix@smartclinic.test", PASSWORD)
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    assert admin_login(client, "ops-matrix", otp_token=current_code(enrol(user=user)))
    return session_of(client)


def clinic_session(slug: str) -> str:
    client = clinic_client(slug)
    assert admin_login(client, f"manager@{slug}.test")
    return session_of(client)


def misbehaving(client: Client, urls: dict[str, str], *, own_staff: bool) -> list[str]:
    problems = []
    for url, kind in sorted(urls.items()):
        response = client.get(url)
        body = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        elif MARKER in body:
            problems.append(f"{url}: shows beta's data")
        elif kind == "public":
            continue  # waiting-room board, policy pages: public by design, checked for beta's data above
        elif own_staff and (to_login(response) or response.status_code == 404):
            problems.append(f"{url}: {response.status_code} for the site's own staff")
        elif own_staff and kind in {"list", "change"} and response.status_code not in {200, 302}:
            problems.append(f"{url}: {response.status_code} for the site's own staff")  # 302: a singleton's list
        elif not own_staff and not (to_login(response) or response.status_code in {403, 404}):
            problems.append(f"{url}: {response.status_code} for someone who is not this clinic's staff")
    return problems


@pytest.fixture
def alpha_urls(alpha, beta):
    fill_alpha_and_mark_beta(alpha, beta)
    urls = admin_urls(clinic_site, first_pk(alpha))
    assert sum(kind == "change" for kind in urls.values()) >= 5  # the walk found real objects to open
    return urls


@pytest.mark.parametrize("role", ["alpha_manager", "beta_manager", "operator", "anonymous"])
def test_every_clinic_admin_url_on_alphas_host_answers_only_alphas_staff(role, alpha_urls):
    cookie = {
        "alpha_manager": lambda: clinic_session("alpha"),
        "beta_manager": lambda: clinic_session("beta"),
        "operator": operator_session,
        "anonymous": lambda: "",
    }[role]()
    client = with_session(clinic_client("alpha"), cookie) if cookie else clinic_client("alpha")
    assert misbehaving(client, alpha_urls, own_staff=role == "alpha_manager") == []


@pytest.mark.parametrize("role", ["operator", "alpha_manager", "password_only_operator", "anonymous"])
def test_every_operator_admin_url_answers_only_our_verified_staff(role, alpha, beta):
    fill_alpha_and_mark_beta(alpha, beta)
    urls = admin_urls(operator_site, first_pk(None))
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    if role == "operator":
        client = with_session(client, operator_session())
    elif role == "alpha_manager":
        client = with_session(client, clinic_session("alpha"))
    elif role == "password_only_operator":
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.create_superuser("ops-pw", "ops-pw@smartclinic.test", PASSWORD))
    problems = [
        problem
        for problem in misbehaving(client, urls, own_staff=role == "operator")
        if not (role == "operator" and "shows beta's data" in problem)  # our staff may see every clinic
    ]
    assert problems == []
