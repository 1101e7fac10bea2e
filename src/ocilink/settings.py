"""Django settings for ocilink: wiring only, every value comes from an environment variable.

The README lists every variable with its default. Outside the demo ``SECRET_KEY``, ``OCILINK_KEYRING`` and
``DATABASE_URL`` must be given; a missing one stops the start with an explanation. In the demo (``OCILINK_DEMO``, set
by ``ocilink demo`` and the tests) files under ``OCILINK_VAR_DIR`` stand in for the first two and the database is a
SQLite file there, so the demo needs no configuration.
"""

from __future__ import annotations

import ipaddress
import json
import os
from datetime import timedelta
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


# The demo: a reference supplier's webshop with its order inbox, for `ocilink demo` and the test suite (both switch
# it on). Off by default: production needs neither the app nor its dependencies (the `demo` extra), and outside the
# demo nothing is read from the var/ folder.
OCILINK_DEMO = _env_bool("OCILINK_DEMO", False)


def _env_or_demo_file(name: str, filename: str, make: str) -> str:
    """A secret from the environment; in the demo only, from the file ``ocilink demo`` made under var/."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if not OCILINK_DEMO:
        raise ImproperlyConfigured(
            f"{name} is not set. Outside the demo it must be given as an environment variable: make one with "
            f"`{make}` and keep it secret (the demo's files under var/ are never read in production)."
        )
    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    raise ImproperlyConfigured(
        f"{name} is not set and {path} does not exist. Set {name} (`{make}`), or run `ocilink demo` once to "
        "create the demo's own."
    )


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = _env_or_demo_file("SECRET_KEY", "secret_key", "ocilink generate_key --secret-key")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Secrets at rest (OCI passwords, later cXML shared secrets and SFTP keys) are Fernet tokens. The first key of the
# ring encrypts, every key decrypts, so a key can be rotated without downtime: prepend the new key, re-encrypt
# (`ocilink rotate_secrets`), then drop the old one.
OCILINK_KEYRING = [
    k.strip() for k in _env_or_demo_file("OCILINK_KEYRING", "keyring", "ocilink generate_key").split(",") if k.strip()
]

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
                # The navigation's counts (to approve, orders needing attention): one query per page.
                "ocilink.core.navigation.navigation_counts",
            ],
        },
    },
]

# The database is always named: DATABASE_URL, or in the demo a SQLite file under var/. Outside the demo a missing
# DATABASE_URL stops the start, so a production server never runs on an empty SQLite file by accident.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if not DATABASE_URL:
    if not OCILINK_DEMO:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Set it to the database, for example "
            "postgres://user:password@host:5432/ocilink, or to a SQLite file for a single server, for example "
            "sqlite:////var/lib/ocilink/ocilink.sqlite3 (four slashes for an absolute path)."
        )
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the demo's embedded database: a SQLite file under var/
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'ocilink.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=_env_int("DATABASE_CONN_MAX_AGE", 60))}
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


def _raw_documents_storage() -> dict[str, object]:
    """Where raw documents live (cart returns as received, the documents suppliers received, what each try sent and
    got back; core/raw_documents.py): RAW_DOCUMENTS_STORAGE names a storage backend, RAW_DOCUMENTS_STORAGE_OPTIONS
    its options as a JSON object; by default they are private files in RAW_DOCUMENTS_DIR, which outside the demo
    must be given, like the database: a production server never keeps its evidence in the current directory."""
    raw_options = os.environ.get("RAW_DOCUMENTS_STORAGE_OPTIONS", "").strip() or "{}"
    try:
        options = json.loads(raw_options)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f'RAW_DOCUMENTS_STORAGE_OPTIONS must be a JSON object, such as {{"bucket_name": "ocilink-raw"}}: {exc}.'
        ) from exc
    if not isinstance(options, dict):
        raise ImproperlyConfigured("RAW_DOCUMENTS_STORAGE_OPTIONS must be a JSON object, not a list or a value.")
    backend = os.environ.get("RAW_DOCUMENTS_STORAGE", "").strip()
    if backend:
        return {"BACKEND": backend, "OPTIONS": options}
    folder = os.environ.get("RAW_DOCUMENTS_DIR", "").strip()
    if not folder:
        if not OCILINK_DEMO:
            raise ImproperlyConfigured(
                "RAW_DOCUMENTS_DIR is not set. Set it to the folder where ocilink keeps raw documents (cart returns, "
                "the documents sent to suppliers), for example /var/lib/ocilink/raw-documents, on a disk that is "
                "backed up with the database; or set RAW_DOCUMENTS_STORAGE to another storage backend."
            )
        folder = str(VAR_DIR / "raw-documents")
    return {
        "BACKEND": "ocilink.core.raw_documents.PrivateFileSystemStorage",
        "OPTIONS": {**options, "location": str(Path(folder).resolve())},
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "raw_documents": _raw_documents_storage(),
}

# Punchout. A token lives two hours by default: long enough to shop, short enough that a leaked HOOK_URL is soon
# useless.
PUNCHOUT_TOKEN_TTL_SECONDS = _env_int("PUNCHOUT_TOKEN_TTL_SECONDS", 2 * 60 * 60)
# The cart return may be far larger than Django's defaults (2.5 MB, 1,000 fields: a 100-line cart already has more);
# these limits apply to the return view only, which reads the raw body itself.
PUNCHOUT_MAX_BODY_BYTES = _env_int("PUNCHOUT_MAX_BODY_BYTES", 10 * 1024 * 1024)
PUNCHOUT_MAX_FIELDS = _env_int("PUNCHOUT_MAX_FIELDS", 200_000)
# The most lines in one cart return, and in one cart. A larger return is refused whole (kept, nothing imported):
# the cart page shows every line with its forms, and at this size it still renders well within a second.
PUNCHOUT_MAX_LINES = _env_int("PUNCHOUT_MAX_LINES", 2_000)
# The most errors, and the most warnings, kept and listed for one cart return or check report (the first ones, and
# how many there were in all).
PUNCHOUT_MAX_KEPT_PROBLEMS = _env_int("PUNCHOUT_MAX_KEPT_PROBLEMS", 200)

# What strangers can make this server store. Anyone may post to a HOOK_URL, and anyone may start a self-test from the
# public guide, so the raw returns kept are capped: per organization (its buyers' punchouts and its roundtrip tests)
# over a rolling hour and day, and for self-tests per client address and in all. A buyer's valid return is the only
# one ever kept whole; these limits leave ample room for real carts (a 1,000-line cart is well under 1 MB).
_MB = 1024 * 1024
PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = _env_int("PUNCHOUT_ORG_MAX_BYTES_PER_HOUR", 200 * _MB)
PUNCHOUT_ORG_MAX_BYTES_PER_DAY = _env_int("PUNCHOUT_ORG_MAX_BYTES_PER_DAY", 1024 * _MB)
# Self-tests of the public guide: how many bytes of returns are kept per client address and in all per rolling day
# (how many self-tests may start per hour is fixed in punchout/trials.py).
SELFTEST_MAX_BYTES_PER_CLIENT_PER_DAY = _env_int("SELFTEST_MAX_BYTES_PER_CLIENT_PER_DAY", 50 * _MB)
SELFTEST_MAX_BYTES_PER_DAY = _env_int("SELFTEST_MAX_BYTES_PER_DAY", 500 * _MB)
# Raw cart returns hold what a webshop sent, and the headers hold the buyer's address: keep them as long as support
# needs them to answer questions about a cart, then empty them (the outcome, errors and report stay). Trials (the
# roundtrip test of a connection, the supplier self-test) are looked at the same day, so theirs go sooner.
PUNCHOUT_RAW_RETENTION_DAYS = _env_int("PUNCHOUT_RAW_RETENTION_DAYS", 90)
PUNCHOUT_TRIAL_RETENTION_DAYS = _env_int("PUNCHOUT_TRIAL_RETENTION_DAYS", 30)
# How often each worker looks for raw returns past their retention (in batches, so it never holds long locks).
PUNCHOUT_PURGE_INTERVAL_SECONDS = _env_int("PUNCHOUT_PURGE_INTERVAL_SECONDS", 15 * 60)
# Spreadsheet uploads (the ledger translation table, the delivery-address sheet). Each is bounded in bytes, rows,
# columns and cells; this bounds its time: a server thread is never tied up longer, and an import stopped by it
# keeps nothing. The biggest allowed file takes a few seconds (bench/imports.py).
IMPORT_DEADLINE_SECONDS = _env_int("IMPORT_DEADLINE_SECONDS", 30)

# Background work: Django's Tasks API with the database backend. Enqueueing is an INSERT in the same transaction
# as the business write, so no task is lost or sent for a rolled-back order.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Dispatch of purchase orders. Transient failures are retried with exponential backoff and jitter: the first retry
# after 30 s, never more than 1 h apart, and for 24 h in all (suppliers' servers are down for hours, rarely days).
DISPATCH_RETRY_FIRST_SECONDS = _env_int("DISPATCH_RETRY_FIRST_SECONDS", 30)
DISPATCH_RETRY_MAX_SECONDS = _env_int("DISPATCH_RETRY_MAX_SECONDS", 60 * 60)
DISPATCH_RETRY_WINDOW_SECONDS = _env_int("DISPATCH_RETRY_WINDOW_SECONDS", 24 * 60 * 60)
# A worker holds a dispatch (or a notice) for this long after its last heartbeat; when it passes (the worker died),
# the sweeper hands it to another. A worker refuses to start unless every transport timeout the settings fix
# (EMAIL_TIMEOUT, the ordering methods' defaults: 30 s) is below the lease and the heartbeat below half of it.
# 45 s lease + 10 s sweep: a dead worker's order is sent again within a minute.
DISPATCH_LEASE_SECONDS = _env_int("DISPATCH_LEASE_SECONDS", 45)
# While a send is alive its worker renews the lease this often (a third of the lease: one missed beat is harmless).
DISPATCH_HEARTBEAT_SECONDS = _env_int("DISPATCH_HEARTBEAT_SECONDS", 15)
# How often each worker's sweeper looks for orders and notices whose worker died or that nobody picked up.
DISPATCH_SWEEP_SECONDS = _env_int("DISPATCH_SWEEP_SECONDS", 10)
# The orders list: an order still sending after this many minutes needs a person ("needs attention", counted in
# the navigation). By then a reachable supplier has answered and the first five retries of a transient failure
# (30 s, 1, 2, 4 and 8 min) have come and gone; the retries go on.
ORDERS_SENDING_ATTENTION_MINUTES = _env_int("ORDERS_SENDING_ATTENTION_MINUTES", 15)
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


# ---- Security in production: trusted proxies, login throttling, headers, session lifetimes (docs/security.md) ----


def _env_networks(name: str) -> list[str]:
    """A comma-separated list of IP addresses or networks from the environment; anything else refuses to start."""
    entries = [entry.strip() for entry in os.environ.get(name, "").split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks such as 10.0.0.0/8, not {entry!r}."
            ) from exc
    return entries


# The client's address decides whom a lockout hits, so X-Forwarded-For (which anyone can send) is read only when the
# request comes from one of these proxies (REMOTE_ADDR); then the right-most address in it that is not a trusted
# proxy is the client. The addresses or networks of the proxies in front of this server; empty (the default): the
# header is never read.
TRUSTED_PROXIES = _env_networks("TRUSTED_PROXIES")

# Login throttling (django-axes) on the platform's login and the Django admin's: after LOGIN_FAILURE_LIMIT wrong
# passwords for one username from one address, logging in with that username from there is paused for
# LOGIN_LOCKOUT_MINUTES (counted from the last attempt). Per username *and* address: an attacker cannot lock a
# colleague out from elsewhere, nor lock out everybody behind one office address. Ten is far above a person's typing
# errors and far below what guessing needs.
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as axes requires: it turns a lockout into its page
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a paused login before the password is even checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _env_int("LOGIN_FAILURE_LIMIT", 10)
LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1.")
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a person who mistyped a few times and then got in starts from zero again
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure is a row (address, username, browser, time; never a password)
AXES_LOCKOUT_CALLABLE = "ocilink.accounts.lockout.lockout_response"  # a page in plain words, English and Dutch
AXES_CLIENT_IP_CALLABLE = "ocilink.accounts.lockout.client_address"  # the same trusted proxies as the rest

# HTTP Strict Transport Security: once a browser saw it over HTTPS, it uses only HTTPS for this host for that many
# seconds. Off by default (the demo runs on plain HTTP); in production set it once HTTPS works, e.g. 31536000.
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)

# Content-Security-Policy on every response (core.security_headers): scripts, styles, images and fonts only from
# this server's own files, no inline script or style, no plugins, no framing. `form-action` is left open on purpose:
# the punchout start page posts to each supplier's webshop and the webshop posts the cart back, to origins that
# only the connections know.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "ocilink.core.security_headers.ContentSecurityPolicyMiddleware",
)

# Session lifetimes. Customers keep Django's two weeks; platform staff, who can act in every organization, get a
# much shorter session (set when they log in, accounts.sessions), so a forgotten browser is not a key to all tenants.
SESSION_COOKIE_AGE = _env_int("SESSION_COOKIE_AGE", 14 * 24 * 60 * 60)
STAFF_SESSION_SECONDS = _env_int("STAFF_SESSION_SECONDS", 2 * 60 * 60)


# Ordering: where the platform sends orders, and for how long at most.
# Order URLs and SFTP hosts are typed in by people, so by default orders only go to addresses on the public internet,
# never to loopback, private, link-local (a cloud's metadata service), multicast or reserved ones (checked after DNS).
# List here, separated by commas, the networks a supplier's server may still be in, e.g. a VPN: "10.20.0.0/16". The
# demo and the tests allow loopback ("127.0.0.0/8,::1"), where the demo supplier's inbox runs.
ORDERING_ALLOW_PRIVATE_TARGETS = _env_networks("ORDERING_ALLOW_PRIVATE_TARGETS")
# The most seconds one whole send may take (connect, log in, hand over the order, wait for the answer), for every
# ordering method. A send never takes longer than 80 % of DISPATCH_LEASE_SECONDS either, so the worker records the
# outcome before its lease runs out and another worker takes the order over.
ORDERING_SEND_TIMEOUT_SECONDS = _env_int("ORDERING_SEND_TIMEOUT_SECONDS", 60)
if ORDERING_SEND_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("ORDERING_SEND_TIMEOUT_SECONDS must be at least 1.")
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
METRICS_ALLOWED_IPS = _env_networks("METRICS_ALLOWED_IPS")
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
