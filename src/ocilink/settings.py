"""Django settings for ocilink: wiring only, every value comes from an environment variable.

The README lists every variable with its default. Files under ``OCILINK_VAR_DIR`` (made by ``ocilink demo``)
stand in for ``SECRET_KEY`` and ``OCILINK_KEYRING`` when those are not set, so the demo needs no configuration.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("OCILINK_VAR_DIR", "var")).resolve()


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def _env_or_file(name: str, filename: str) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    raise ImproperlyConfigured(
        f"{name} is not set and {path} does not exist. Set {name}, or run `ocilink demo` once to create a demo one."
    )


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = _env_or_file("SECRET_KEY", "secret_key")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Secrets at rest (OCI passwords, later cXML shared secrets and SFTP keys) are Fernet tokens. The first key of the
# ring encrypts, every key decrypts, so a key can be rotated without downtime: prepend the new key, re-encrypt
# (`ocilink rotate_secrets`), then drop the old one.
OCILINK_KEYRING = [k.strip() for k in _env_or_file("OCILINK_KEYRING", "keyring").split(",") if k.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ocilink.core",
    "ocilink.accounts",
    "ocilink.suppliers",
    "ocilink.connections",
    "ocilink.punchout",
    "ocilink.requisitions",
    "ocilink.orders",
    "ocilink.dispatch",
    "ocilink.onboarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ocilink.urls"
WSGI_APPLICATION = "ocilink.wsgi.application"

# The demo: a reference supplier's webshop with its order inbox, for `ocilink demo` and the test suite (both switch
# it on). Off by default: production needs neither the app nor its dependencies (the `demo` extra).
OCILINK_DEMO = _env_bool("OCILINK_DEMO", False)
if OCILINK_DEMO:
    INSTALLED_APPS.append("ocilink.demo_webshop")
    # The webshop is served from its own origin (another port and host name) by the same process; requests that
    # arrive through its WSGI entry point are routed with its URLconf instead (see demo_webshop.middleware).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
        "ocilink.demo_webshop.middleware.SiteMiddleware",
    )
    DEMO_WEBSHOP_URLCONF = "ocilink.demo_webshop.urls"
    # Where the demo supplier's inbox keeps what it received.
    DEMO_INBOX_DIR = VAR_DIR / "inbox"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ocilink.accounts.context_processors.membership",
                "ocilink.requisitions.context_processors.approvals",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default: a SQLite file under var/
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ocilink.sqlite3'}",
        conn_max_age=_env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the webshop, the platform and a worker read while one of them writes; the busy timeout makes a
    # writer wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "suppliers:list"
LOGOUT_REDIRECT_URL = "login"

# The punchout return is a cross-site POST from the webshop: the session cookie must stay SameSite=Lax (never
# None) so that the return authenticates by its one-time token alone and never by an ambient cookie.
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _env_bool("BEHIND_TLS_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Amsterdam")
USE_TZ = True

STATIC_URL = "static/"
# Only needed for `ocilink collectstatic` in production; the app finds its static files without it.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
# The app serves its own static files (no CDN, works on an intranet); finders avoid a collectstatic step.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Punchout. A token lives two hours by default: long enough to shop, short enough that a leaked HOOK_URL is soon
# useless.
PUNCHOUT_TOKEN_TTL_SECONDS = _env_int("PUNCHOUT_TOKEN_TTL_SECONDS", 2 * 60 * 60)
# The cart return may be far larger than Django's defaults (2.5 MB, 1,000 fields: a 100-line cart already has more);
# these limits apply to the return view only, which reads the raw body itself.
PUNCHOUT_MAX_BODY_BYTES = _env_int("PUNCHOUT_MAX_BODY_BYTES", 10 * 1024 * 1024)
PUNCHOUT_MAX_FIELDS = _env_int("PUNCHOUT_MAX_FIELDS", 200_000)

# Background work: Django's Tasks API with the database backend. Enqueueing is an INSERT in the same transaction
# as the business write, so no task is lost or sent for a rolled-back order.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Dispatch of purchase orders. Transient failures are retried with exponential backoff and jitter: the first retry
# after 30 s, never more than 1 h apart, and for 24 h in all (suppliers' servers are down for hours, rarely days).
DISPATCH_RETRY_FIRST_SECONDS = _env_int("DISPATCH_RETRY_FIRST_SECONDS", 30)
DISPATCH_RETRY_MAX_SECONDS = _env_int("DISPATCH_RETRY_MAX_SECONDS", 60 * 60)
DISPATCH_RETRY_WINDOW_SECONDS = _env_int("DISPATCH_RETRY_WINDOW_SECONDS", 24 * 60 * 60)
# A worker holds a dispatch for this long while sending; if it dies, the sweeper hands the dispatch to another.
# It must exceed the longest send (HTTP and SFTP time out after 30 s by default).
DISPATCH_LEASE_SECONDS = _env_int("DISPATCH_LEASE_SECONDS", 5 * 60)
# How often each worker's sweeper looks for dispatches whose worker died or whose task went missing.
DISPATCH_SWEEP_SECONDS = _env_int("DISPATCH_SWEEP_SECONDS", 30)
# How the platform's own e-mail leaves (purchase orders by e-mail, notifications).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ocilink <orders@localhost>")
# The public address of this platform, for links in e-mails (HOOK_URL comes from the request itself).
OCILINK_BASE_URL = os.environ.get("OCILINK_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "ocilink.core.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django logs the request of a failed view; the punchout return carries credentials of nobody but its
        # body may be large, so keep request logs at WARNING.
        "django.request": {"level": "WARNING"},
        "waitress": {"level": "WARNING"},
        "paramiko": {"level": "WARNING"},
        "asyncssh": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},
    },
}

# --- Serving in production: request ids, log format, access log, health and metrics (core/middleware.py,
# core/views.py, `ocilink serve`) ---------------------------------------------------------------------------------
# First in the chain, so that every log line of a request carries its id and the timing covers all the rest.
MIDDLEWARE.insert(0, "ocilink.core.middleware.RequestMiddleware")
# `text` for a person at a terminal (the demo), `json` (one object per line) for a log collector in production.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
# One line per request (method, URL pattern, status, duration). Off when the proxy in front already logs requests.
ACCESS_LOG = _env_bool("ACCESS_LOG", True)
# Take the request id from the proxy's X-Request-ID header, so its log and ours share one id. Only behind a proxy
# that sets the header itself: a client could otherwise choose the id of its own log lines.
REQUEST_ID_FROM_PROXY = _env_bool("REQUEST_ID_FROM_PROXY", False)
# /metrics: off (404) unless one of these is set. Addresses or networks allowed to scrape it, and/or a bearer token
# (`Authorization: Bearer <token>`); with both set, both must match.
METRICS_ALLOWED_IPS = [ip.strip() for ip in os.environ.get("METRICS_ALLOWED_IPS", "").split(",") if ip.strip()]
for _network in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_IPS holds {_network!r}, which is not an address or a network like 10.0.0.0/8."
        ) from _exc
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
# /readyz fails when an order has waited this long for a worker: no worker runs, or they cannot keep up. 15 minutes
# stays clear of a busy moment; 0 leaves the queue out of readiness (watch the metric instead).
READY_MAX_DISPATCH_WAIT_SECONDS = _env_int("READY_MAX_DISPATCH_WAIT_SECONDS", 15 * 60)
LOGGING["filters"]["request_id"] = {"()": "ocilink.core.logging.RequestIdFilter"}  # type: ignore[index]
LOGGING["formatters"] = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"},
    "json": {"()": "ocilink.core.logging.JsonFormatter"},
}
LOGGING["handlers"]["console"]["filters"].append("request_id")  # type: ignore[index]
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]
LOGGING["loggers"]["gunicorn"] = {"level": "INFO"}  # type: ignore[index]  # start, stop, worker restarts
