"""Vínculo settings: one module, every value from the environment, defaults = embedded mode.

Embedded mode: SQLite (WAL) and the database task backend under ``VINCULO_DATA_DIR`` (``./var``).
Scale-out: ``DATABASE_URL`` (PostgreSQL) and ``VINCULO_TASKS=rq`` with ``REDIS_URL``.
See ``docs/configuration.md``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Literal

import dj_database_url

from vinculo.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent

# pytest imports this module with pytest already loaded; tests get their own data dir and may
# point at PostgreSQL through VINCULO_TEST_DATABASE_URL.
TESTING = env_bool("VINCULO_TESTING", default="pytest" in sys.modules)

DATA_DIR = Path(env_str("VINCULO_DATA_DIR", "var/test" if TESTING else "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data dir."""
    key = env_str("VINCULO_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    # Several processes may start at once on a new data dir (web + workers): the key is written
    # to a private temporary file and linked into place, which succeeds for exactly one of them;
    # the others read the winner's complete file.
    key = secrets.token_urlsafe(50)
    tmp = DATA_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    try:
        os.link(tmp, path)
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip()
    finally:
        tmp.unlink()
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("VINCULO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("VINCULO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("VINCULO_CSRF_TRUSTED_ORIGINS", [])
BASE_URL = env_str("VINCULO_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # Swagger UI from its bundled static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "vinculo.core",
    "vinculo.workspaces",
    "vinculo.contacts",
    "vinculo.sales",
    "vinculo.activities",
    "vinculo.quality",
    "vinculo.events",
    "vinculo.webforms",
    "vinculo.integrations",
    "vinculo.insights",
    "vinculo.privacy",
    "vinculo.scoring",
    "vinculo.strategy",
    "vinculo.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vinculo.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vinculo.workspaces.middleware.WorkspaceMiddleware",
    "vinculo.workspaces.middleware.PasswordChangeRequiredMiddleware",
    "vinculo.workspaces.two_factor.TwoFactorMiddleware",
    "vinculo.web.middleware.PostOnlyAddressMiddleware",
    # Last: turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Last, so its 413 page has the user and workspace; still before any view reads the body.
    "vinculo.core.limits.RequestSizeLimitMiddleware",
]

ROOT_URLCONF = "vinculo.urls"
WSGI_APPLICATION = "vinculo.wsgi.application"

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
                "vinculo.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait (busy timeout)
    # instead of failing with "database is locked" half-way through a transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA temp_store=MEMORY;"
        "PRAGMA cache_size=-65536;"
        "PRAGMA mmap_size=268435456;"
        # Checkpoint the WAL every ~400 MB rather than every 4 MB. A checkpoint copies each page
        # the WAL holds into the database file once, however often it was rewritten since: the
        # person-ordered indexes (timelines, events, purchases) take their inserts at random
        # pages, and the longer the interval the more rewrites of a hot page one copy covers.
        # Raw writes of 1,000,000 tracked events, two runs side by side: 8,237 events/s at
        # ~80 MB, 10,606 at ~400 MB; a 100,000-person import's raw writes: 151 µs per person at
        # 4 MB, 106 µs at 80 MB. After a checkpoint the WAL file is cut back to 64 MB.
        "PRAGMA wal_autocheckpoint=100000;"
        "PRAGMA journal_size_limit=67108864;"
    ),
}

_db_url = env_str("VINCULO_TEST_DATABASE_URL") if TESTING else ""
_db_url = _db_url or env_str("DATABASE_URL")
if _db_url:
    DATABASES = {
        "default": dj_database_url.parse(_db_url, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(_SQLITE_OPTIONS)
    elif "postgresql" in DATABASES["default"]["ENGINE"]:
        # No JIT: its compiling (0.3 to 2 s on this app's KPI queries, whose estimated cost
        # passes the threshold) costs more than the queries take; a server setting, ours to
        # choose per connection. An `options` in the URL still wins.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.setdefault("options", "-c jit=off")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "vinculo.sqlite3"),
            "OPTIONS": dict(_SQLITE_OPTIONS),
            # A file, not memory: tests start real worker and server processes that share it.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "workspaces.User"
AUTHENTICATION_BACKENDS = [
    "vinculo.workspaces.auth.LockoutBackend",
    "vinculo.workspaces.auth.EmailBackend",
]
# Password guessing (django-axes): LOCKOUT_FAILURES failures lock the account and, separately,
# the address for LOCKOUT_MINUTES, doubled for each lockout in the last day (at most 24 h).
LOCKOUT_FAILURES = env_int("VINCULO_LOCKOUT_FAILURES", 10)
LOCKOUT_MINUTES = env_int("VINCULO_LOCKOUT_MINUTES", 15)
AXES_ENABLED = env_bool("VINCULO_LOCKOUT_ENABLED", default=True)
AXES_FAILURE_LIMIT = LOCKOUT_FAILURES
AXES_COOLOFF_TIME = "vinculo.workspaces.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "vinculo.workspaces.lockout.username"
AXES_CLIENT_IP_CALLABLE = "vinculo.workspaces.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "vinculo.workspaces.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Vínculo"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing is not what the suite measures.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A generated one-time password (createworkspace) stops working after this many days, and an
# invitation link after INVITATION_DAYS.
ONE_TIME_PASSWORD_DAYS = env_int("VINCULO_ONE_TIME_PASSWORD_DAYS", 7)
INVITATION_DAYS = env_int("VINCULO_INVITATION_DAYS", 7)
PASSWORD_RESET_TIMEOUT = env_int("VINCULO_PASSWORD_RESET_SECONDS", 3 * 3600)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("VINCULO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The interface-language cookie: no script reads it, so HttpOnly; Secure with the others.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE: Literal["Lax", "Strict", "None", False] | None = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# --- Behind a TLS-terminating proxy (docs/deployment.md) -----------------------------------------
# The header the proxy sets to "https" on requests that reached it over TLS (e.g.
# X-Forwarded-Proto). Only set it when the proxy always sets (or strips) that header.
PROXY_SSL_HEADER = env_str("VINCULO_PROXY_SSL_HEADER").strip()
if PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
# Strict-Transport-Security max-age, sent on HTTPS responses only (0: not sent).
SECURE_HSTS_SECONDS = env_int("VINCULO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("VINCULO_HSTS_INCLUDE_SUBDOMAINS", default=False)

# --- Request size limits (docs/api.md) -----------------------------------------------------------
# A request body (JSON, form fields) over this many bytes is refused with 413; uploaded files
# are not counted (they stream to disk past FILE_UPLOAD_MAX_MEMORY_SIZE; imports cap them).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, 2.5 MB, stated here on purpose

# --- Email (SMTP) ------------------------------------------------------------------------------
# Without VINCULO_EMAIL_HOST nothing is sent: invitation links are shown to the owner to pass
# on, and password reset by email is not offered.
EMAIL_HOST = env_str("VINCULO_EMAIL_HOST", "")
EMAIL_ENABLED = bool(EMAIL_HOST)
EMAIL_PORT = env_int("VINCULO_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("VINCULO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("VINCULO_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = env_bool("VINCULO_EMAIL_SSL", default=EMAIL_PORT == 465)
EMAIL_USE_TLS = env_bool("VINCULO_EMAIL_STARTTLS", default=not EMAIL_USE_SSL and EMAIL_PORT == 587)
EMAIL_TIMEOUT = env_int("VINCULO_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("VINCULO_EMAIL_FROM", "Vínculo <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Served straight from the app and package folders: no collectstatic step in embedded mode.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Tasks ----------------------------------------------------------------------------------
TASKS_MODE = env_str("VINCULO_TASKS", "db").strip().lower()
if TASKS_MODE not in {"db", "rq"}:
    raise ValueError(f"VINCULO_TASKS must be 'db' or 'rq', got {TASKS_MODE!r}")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
_DB_TASKS = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
_RQ_TASKS = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
TASKS = {
    "default": _RQ_TASKS if TASKS_MODE == "rq" else _DB_TASKS,
    # Both backends stay addressable by name so tests and `vinculo check` can reach either.
    "db": _DB_TASKS,
    "rq": _RQ_TASKS,
}

# Work queues (vinculo.core.queue): the outbox's event deliveries and webhook deliveries are
# claimed with a lease, retried with backoff and failed after a number of attempts by one
# mechanism, tuned by the same five settings each (docs/configuration.md). Read when used.
# The outbox's consumers run inside one transaction that cannot renew its lease, so it is long;
# a webhook drain renews its lease while it sends, so a dead worker's batch comes back sooner.
OUTBOX_LEASE_SECONDS = env_int("VINCULO_OUTBOX_LEASE_SECONDS", 300)
OUTBOX_MAX_ATTEMPTS = env_int("VINCULO_OUTBOX_MAX_ATTEMPTS", 12)
OUTBOX_BACKOFF_SECONDS = env_int("VINCULO_OUTBOX_BACKOFF_SECONDS", 10)
OUTBOX_BACKOFF_CAP_SECONDS = env_int("VINCULO_OUTBOX_BACKOFF_CAP_SECONDS", 6 * 3600)
OUTBOX_BACKOFF_JITTER_PERCENT = env_int("VINCULO_OUTBOX_BACKOFF_JITTER_PERCENT", 0)
WEBHOOKS_LEASE_SECONDS = env_int("VINCULO_WEBHOOKS_LEASE_SECONDS", 60)
WEBHOOKS_MAX_ATTEMPTS = env_int("VINCULO_WEBHOOKS_MAX_ATTEMPTS", 14)
WEBHOOKS_BACKOFF_SECONDS = env_int("VINCULO_WEBHOOKS_BACKOFF_SECONDS", 60)
WEBHOOKS_BACKOFF_CAP_SECONDS = env_int("VINCULO_WEBHOOKS_BACKOFF_CAP_SECONDS", 6 * 3600)
WEBHOOKS_BACKOFF_JITTER_PERCENT = env_int("VINCULO_WEBHOOKS_BACKOFF_JITTER_PERCENT", 10)
# Outbound HTTP to URLs users give (webhooks): non-public addresses are refused unless listed
# here (CIDRs, addresses or exact host names), on every database. See docs/security.md.
OUTBOUND_ALLOWED_NETWORKS = env_list("VINCULO_OUTBOUND_ALLOWED_NETWORKS", [])
# Extra modules whose import registers event consumers (plug-ins; the test suite uses it).
EVENT_CONSUMER_MODULES = env_list("VINCULO_EVENT_CONSUMER_MODULES", [])
# Check each emitted domain event's payload against its declared schema (core/event_types.py)
# and refuse a mismatch: on in debug and in the test suite, off in production (a JSON round trip
# per event).
EVENTS_CHECK_PAYLOADS = env_bool("VINCULO_EVENTS_CHECK_PAYLOADS", default=DEBUG or TESTING)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("VINCULO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_MAX_LIMIT = 200
