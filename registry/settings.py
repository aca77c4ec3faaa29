"""Settings for the export-licence registry, read from the environment.

Every value that differs between a developer's laptop and production comes from an environment
variable (see the README's "Configuration" section). The defaults are for development: a SQLite
file beside manage.py and an in-process cache. With ``DEBUG`` off the registry refuses to start
without a ``SECRET_KEY``, an ``AUDIT_KEY`` and an ``AUDIT_SIGNING_KEY_FILE``, and every secure
default is on, so `manage.py check --deploy` is clean with only those and ``ALLOWED_HOSTS`` set.

Each setting is defined once, in the section it belongs to; nothing below patches what came above.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from registry import api as registry_api

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Secrets and hosts: only a DEBUG run may go without the keys ------------------------------
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment; only a DEBUG run may go without."
        )
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"
# Earlier keys still accepted while a new SECRET_KEY rolls out (docs/operations.md, "Runbook").
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# The key of the audit chain's HMAC: without it a recomputed chain does not verify. Like
# SECRET_KEY, required with DEBUG off; keep it out of the database and its backups.
AUDIT_KEY = env.str("AUDIT_KEY", default="")
if not AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_KEY is not set. Set it in the environment; only a DEBUG run may go without."
        )
    AUDIT_KEY = "development-only-audit-key-do-not-use-in-production"

# The agency's Ed25519 key that signs the Merkle log's checkpoints (docs/audit-trail.md).
# `manage.py make_audit_key FILE` writes one, and its public key to FILE.pub. Required with DEBUG
# off; a DEBUG run uses a development key beside manage.py, which `manage.py quickstart` writes.
# Keep it off the database host: whoever holds it can sign a checkpoint.
AUDIT_SIGNING_KEY_FILE = env.str("AUDIT_SIGNING_KEY_FILE", default="")
if not AUDIT_SIGNING_KEY_FILE:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_SIGNING_KEY_FILE is not set. Write a key with `manage.py make_audit_key FILE` "
            "and set it in the environment; only a DEBUG run may go without."
        )
    AUDIT_SIGNING_KEY_FILE = str(BASE_DIR / "audit-signing-dev.key")
elif not DEBUG and not Path(AUDIT_SIGNING_KEY_FILE).is_file():
    raise ImproperlyConfigured(f"AUDIT_SIGNING_KEY_FILE names no file: {AUDIT_SIGNING_KEY_FILE}")
# The public keys (FILE.pub) of keys that signed earlier checkpoints, after a key rotation.
AUDIT_PUBLIC_KEY_FILES = env.list("AUDIT_PUBLIC_KEY_FILES", default=[])
# The first line of every checkpoint: the name of this log.
AUDIT_LOG_ORIGIN = env.str("AUDIT_LOG_ORIGIN", default="export-licence-registry/audit")
# How often a checkpoint is signed (the periodic task, or `manage.py audit_checkpoint` from cron;
# see docs/operations.md); the auditors' integrity page flags a latest checkpoint older than twice
# this.
AUDIT_CHECKPOINT_MINUTES = env.int("AUDIT_CHECKPOINT_MINUTES", default=60)
# A folder outside the database, on storage the database's administrators cannot rewrite: the
# periodic checkpoint task (and `audit_checkpoint --out`) writes each checkpoint there, and the
# integrity page compares the newest one with the log in the database, which shows a database
# restored from an older backup. Empty: checkpoints are stored in the database only.
AUDIT_CHECKPOINT_DIR = env.str("AUDIT_CHECKPOINT_DIR", default="")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications, middleware, URLs and templates ---------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "simple_history",
    "registry",
    "countries",
    "licenses",
    "documents",
    "notifications",
    "decisions",
    "screening",
    "registry.audit",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "registry.metrics.MetricsMiddleware",  # only when METRICS_TOKEN is set
    "registry.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "registry.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "registry.middleware.ReplicaRoutingMiddleware",
    "registry.middleware.ServiceUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
    "registry.sessions.NoStoreMiddleware",
    "registry.sessions.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "registry.accounts.middleware.SecondFactorRequiredMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # {{ value|when }}: the one date format of every page.
            "builtins": ["registry.templatetags.dates"],
        },
    },
]

# --- Database: SQLite by default so that a newcomer needs no server; PostgreSQL in production --


def _jit_off(database: dict) -> None:
    """PostgreSQL compiles a query to machine code once its estimated cost passes
    jit_above_cost, whatever rows it then reads: a queue search over 100,000 pending cases is
    estimated that dear and spent 1.4 s compiling for 0.2 s of work (performance.md, B5). No
    page of the registry runs long enough to repay it; DATABASE_JIT=true keeps the server's
    setting."""
    if not env.bool("DATABASE_JIT", default=False):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()


DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing with
    # "database is locked" half-way through a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    _jit_off(DATABASES["default"])

# A read replica for the auditors' read-only pages: DATABASE_REPLICA_URL adds the "replica"
# alias, and registry.db_router sends those pages' reads to it (see registry/db_router.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(env.str("DATABASE_REPLICA_URL"))
    _jit_off(DATABASES["replica"])
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["registry.db_router.ReplicaRouter"]
REPLICA_PATH_PREFIXES = env.list("REPLICA_PATH_PREFIXES", default=["/audit/"])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: a redis:// CACHE_URL makes throttles and caches shared by every app server --------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://registry")}
# How long a country's standing may be answered from the shared cache (countries.standing_cache);
# applying a revision rewrites every entry at once, this bounds anything else. 0: off.
COUNTRY_CACHE_SECONDS = env.int("COUNTRY_CACHE_SECONDS", default=60)

# --- Authentication and the web sign-in lockout (django-axes) ---------------------------------
AUTH_USER_MODEL = "registry.User"
# Repeated failed sign-ins for one username from one client address lock that pair out for a
# while, and more failures of one username from anywhere lock the username; the
# count is kept in the database, so every app server sees it. A sign-in without a web request
# (the shell, the test client) is not locked out: see registry.signin_lockout.
AUTHENTICATION_BACKENDS = [
    "registry.signin_lockout.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "registry.signin_lockout.SignInLockoutHandler"
# Failures of one username from every address together, within the cool-off, that lock it.
SIGNIN_USERNAME_FAILURE_LIMIT = env.int("SIGNIN_USERNAME_FAILURE_LIMIT", default=20)
# How many proxies in front of the app append to X-Forwarded-For (0: the peer is the client).
# The lockout and the password-reset throttle count the address that many hops from the right.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0 or SIGNIN_USERNAME_FAILURE_LIMIT <= 0:
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT must be 0 or more, SIGNIN_USERNAME_FAILURE_LIMIT more than 0."
    )
AXES_CLIENT_IP_CALLABLE = "registry.signin_lockout.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

# --- Accounts: second factor for staff, password change and reset (registry/accounts/) -------
# Officials, senior officials, auditors, staff and superusers confirm each sign-in with a TOTP
# code from an authenticator app (or a one-time backup code) when OTP_REQUIRED is on, which it
# is whenever DEBUG is off. See docs/accounts.md.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Export-licence registry")
# Seconds of wait after the first wrong code, doubled after each further one (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Password-reset requests answered per client address and per email address, per hour.
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="registry@localhost")

# --- Internationalisation and time ------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files: from the app folders in development, from STATIC_ROOT in production --------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Documents: uploaded files, never served from a public URL (documents/) -------------------
# The local folder of the default documents storage; back it up with the database.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Any Django storage class; django-storages' "storages.backends.s3.S3Storage" keeps them in an
# S3-compatible bucket (install django-storages[s3] and give its options as JSON).
DOCUMENT_STORAGE_BACKEND = env.str(
    "DOCUMENT_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
DOCUMENT_STORAGE_OPTIONS = env.json(
    "DOCUMENT_STORAGE_OPTIONS",
    default={"location": str(Path(MEDIA_ROOT) / "documents"), "base_url": "/no-public-url/"},
)
# The largest document accepted, in bytes; a larger upload is answered 413.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

# The agency's key and X.509 certificate (PEM) that sign the licence certificates and refusal
# letters (PAdES). `manage.py make_signing_key` writes a self-signed pair for development; a DEBUG
# run uses one beside manage.py, which `manage.py quickstart` writes. With DEBUG off the system
# check documents.E001 refuses to start without a readable pair whose key matches its
# certificate and which is not a development pair.
SIGNING_KEY_FILE = env.str("SIGNING_KEY_FILE", default="") or (
    str(BASE_DIR / "document-signing-dev.key") if DEBUG else ""
)
SIGNING_CERT_FILE = env.str("SIGNING_CERT_FILE", default="") or (
    str(BASE_DIR / "document-signing-dev.crt") if DEBUG else ""
)
# Calendar days from a refusal letter's date within which the vendor may appeal.
APPEAL_DAYS = env.int("APPEAL_DAYS", default=28)
# Public licence checks (/verify/) allowed per client address per hour.
VERIFY_CHECKS_PER_HOUR = env.int("VERIFY_CHECKS_PER_HOUR", default=30)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": {"BACKEND": DOCUMENT_STORAGE_BACKEND, "OPTIONS": DOCUMENT_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security: every secure default on off DEBUG (see the README's "Deployment" section) ------
# Behind a proxy that ends TLS, set SECURE_PROXY_SSL_HEADER so the app knows the request arrived
# over HTTPS.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Every asset is served by the app itself (no CDN), and no page needs inline script or style.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; object-src 'none'"
    ),
)

# --- Logging: plain lines, and one JSON line per request for log collectors -------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "registry.json_logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Written by registry.middleware.RequestLogMiddleware.
        "registry.requests": {
            "handlers": ["requests"],
            "level": env.str("REQUEST_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        # Celery tasks' own lines (celery.utils.log.get_task_logger) and their start and end
        # (registry.task_context), as JSON with the id of the request that started the task.
        "celery.task": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        "registry.tasks": {"handlers": ["requests"], "level": "INFO", "propagate": False},
    },
}

# --- Operations: metrics (docs/operations.md, "Metrics") -------------------------------------
# The bearer token Prometheus sends to GET /metrics (compared in constant time). Unset: /metrics
# answers 404 and no request is measured. /readyz and /metrics also read CELERY_BROKER_URL (below).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- History: django-simple-history, under the audit chain ------------------------------------
# A (history_date, id) index on every history table: the as-of queries filter on both.
SIMPLE_HISTORY_DATE_INDEX = "Composite"
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Lists: the rows of a page, on the web pages (registry.web) and in the API ----------------
PAGE_SIZE = 50
# The lists that grow without bound (the review queue, the audit trail) count their rows this far
# and then say "more than": counting every row would cost more than the page (registry.web).
LIST_COUNT_LIMIT = 10_000

# --- Case-work: the working-day time target (registry.working_days, licenses.casework) ---------
# Days of the working week, as English names; Sunday to Thursday, as in Israel.
WORKING_WEEK = env.list(
    "WORKING_WEEK", default=["sunday", "monday", "tuesday", "wednesday", "thursday"]
)
# The public holidays left out of working days: a country code the `holidays` package knows.
HOLIDAYS_COUNTRY = env.str("HOLIDAYS_COUNTRY", default="IL")
# Working days from submission to the decision, not counting days waiting on the vendor.
APPLICATION_TARGET_WORKING_DAYS = env.int("APPLICATION_TARGET_WORKING_DAYS", default=20)
# A request for information is due for a reminder this many working days before its due date.
INFORMATION_REQUEST_REMINDER_DAYS = env.int("INFORMATION_REQUEST_REMINDER_DAYS", default=2)

# --- Restricted-party screening (screening/, docs/screening.md) --------------------------------
# A new list snapshot whose entry count falls by more than this share against the last good one
# is quarantined until an official releases it.
WATCHLIST_MAX_DROP = env.float("WATCHLIST_MAX_DROP", default=0.2)
# When the newest usable snapshot is older than this, rule 7 fails at the decision ("screening
# list unavailable") and the dashboard says so.
WATCHLIST_MAX_AGE_HOURS = env.float("WATCHLIST_MAX_AGE_HOURS", default=48)
# The score (0-100, the country weighed in) from which a party matches a list entry.
WATCHLIST_MATCH_THRESHOLD = env.int("WATCHLIST_MATCH_THRESHOLD", default=88)
if not 0 < WATCHLIST_MAX_DROP < 1 or WATCHLIST_MAX_AGE_HOURS <= 0:
    raise ImproperlyConfigured(
        "WATCHLIST_MAX_DROP must be between 0 and 1, WATCHLIST_MAX_AGE_HOURS more than 0."
    )
if not 50 <= WATCHLIST_MATCH_THRESHOLD <= 100:
    raise ImproperlyConfigured("WATCHLIST_MATCH_THRESHOLD must be between 50 and 100.")
# --- Delivery reports on export licences (licenses.services) ---------------------------------
# Days after issue when an export licence's first delivery report is due; then every six months.
DELIVERY_REPORT_DAYS = env.int("DELIVERY_REPORT_DAYS", default=30)
if DELIVERY_REPORT_DAYS <= 0:
    raise ImproperlyConfigured("DELIVERY_REPORT_DAYS must be a positive whole number.")

# --- REST framework: the vendors' API (registry/api/) -----------------------------------------
REST_FRAMEWORK = {
    # Deny unless a view says otherwise; each API view names its own permissions.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["registry.api.authentication.TokenAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["registry.api.parsers.LimitedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "registry.api.negotiation.ContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.PageNumberPagination",
    "PAGE_SIZE": PAGE_SIZE,
    # The throttles' client address, as for the sign-in lockout; unset, DRF would key an
    # anonymous caller on the whole X-Forwarded-For header, which the caller writes.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": [
        "registry.api.throttles.TokenRateThrottle",
        "registry.api.throttles.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_THROTTLE_RATE", default="600/minute"),
        "anonymous": env.str("API_ANONYMOUS_THROTTLE_RATE", default="60/minute"),
    },
    "EXCEPTION_HANDLER": "registry.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The largest request body the API reads, in bytes; a larger one is answered 413.
API_MAX_BODY_SIZE = env.int("API_MAX_BODY_SIZE", default=1024 * 1024)

# How long an Idempotency-Key's first answer is replayed; a retry after that is a new request.
# `manage.py purge_idempotency_records` deletes the older records.
IDEMPOTENCY_KEY_RETENTION_HOURS = env.float("IDEMPOTENCY_KEY_RETENTION_HOURS", default=24)
if IDEMPOTENCY_KEY_RETENTION_HOURS <= 0:
    raise ImproperlyConfigured("IDEMPOTENCY_KEY_RETENTION_HOURS must be a positive number.")

# django-rest-knox: tokens are stored as SHA-512 digests, never in clear, and expire.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# The latest expiry a vendor may give a token it creates on its tokens page, in days from today.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
if API_TOKEN_MAX_DAYS <= 0:
    raise ImproperlyConfigured("API_TOKEN_MAX_DAYS must be a positive whole number.")
# How long the shared cache may answer for a token and its user's permissions
# (registry.api.credentials); revocations and changes of rights drop the entries at once, this
# bounds anything else. 0: off.
API_CREDENTIALS_CACHE_SECONDS = env.int("API_CREDENTIALS_CACHE_SECONDS", default=60)

SPECTACULAR_SETTINGS = {
    "TITLE": "Export-licence registry: API for vendors",
    "DESCRIPTION": (
        "Vendors register products, check destinations against the whitelist, submit and follow "
        "licence applications and read their licences. Authenticate with "
        "`Authorization: Token <key>` (or `Bearer <key>`); create a key on your "
        "tokens page, `/account/tokens/`, signed in to the registry's website."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": registry_api.API_V1_PREFIX.removesuffix("/"),
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "licenses.models.ApplicationStatus",
        "LicenceStatusEnum": "licenses.models.LicenceStatus",
        "EndUserKindEnum": "licenses.models.EndUserKind",
        "DocumentKindEnum": "documents.models.DocumentKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registry.api.schema.document_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Web sessions: timeouts, no-store, sign-in names --------------------------------
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env.int("SESSION_ABSOLUTE_TIMEOUT_HOURS", default=12)
if SESSION_IDLE_TIMEOUT_MINUTES <= 0 or SESSION_ABSOLUTE_TIMEOUT_HOURS <= 0:
    raise ImproperlyConfigured("The session timeouts must be positive whole numbers.")
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
AXES_USERNAME_CALLABLE = "registry.sign_in.attempted_username"

# --- Notifications: the outbox, its Celery worker, webhooks and email (notifications/) ----------
# The broker of the Celery worker that delivers the outbox (Redis: redis://host:6379/N). Unset
# (the quick start), every task runs in the process that queues it, right after the commit, and
# the periodic jobs are left to cron (docs/notifications.md).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it ends, so a worker killed mid-task leaves it to another; the
# outbox's own sweep recovers anything lost all the same (notifications.delivery).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# How often the sweep looks for undelivered events and deliveries due again, in seconds.
NOTIFICATIONS_SWEEP_SECONDS = env.float("NOTIFICATIONS_SWEEP_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
    },
    "casework-reminders": {
        "task": "licenses.tasks.casework_reminders",
        "schedule": datetime.timedelta(hours=1),
    },
    "expire-licences": {
        "task": "licenses.tasks.expire_licences",
        "schedule": datetime.timedelta(hours=1),
    },
    "licences-expiring": {
        "task": "licenses.tasks.licences_expiring",
        "schedule": datetime.timedelta(hours=1),
    },
    # The daily digest of overdue delivery reports, to officials and each vendor concerned.
    "delivery-reports-overdue": {
        "task": "licenses.tasks.delivery_reports_overdue",
        "schedule": crontab(hour=7, minute=0),
    },
    # Sign a checkpoint of the audit log every AUDIT_CHECKPOINT_MINUTES (registry.audit.tasks).
    "audit-checkpoint": {
        "task": "registry.audit.tasks.sign_checkpoint",
        "schedule": AUDIT_CHECKPOINT_MINUTES * 60,
    },
}
# Days before a licence's end on which its vendor is told (licence.expiring).
LICENCE_EXPIRY_NOTICE_DAYS = sorted(
    env.list("LICENCE_EXPIRY_NOTICE_DAYS", cast=int, default=[60, 30]), reverse=True
)
# Webhooks: private and loopback addresses are refused unless this is on (tests, a closed
# network); link-local and cloud-metadata addresses are refused always.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# Extra certificate authorities (a PEM file) trusted for webhook receivers; the system's by default.
WEBHOOK_CA_BUNDLE = env.str("WEBHOOK_CA_BUNDLE", default="")
# Seconds to connect, and for the whole exchange, with one receiver.
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=3)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10)
# The bytes of a receiver's answer read and kept; the rest is never read.
WEBHOOK_MAX_RESPONSE_BYTES = env.int("WEBHOOK_MAX_RESPONSE_BYTES", default=1024)
# A delivery is retried, with exponential backoff and jitter, for this long; then it has failed.
WEBHOOK_RETRY_HOURS = env.float("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_MAX_PER_VENDOR = env.int("WEBHOOK_MAX_PER_VENDOR", default=10)
# Fernet keys (comma-separated, newest first) that encrypt the webhook secrets at rest; without
# them a key is derived from SECRET_KEY. Keep them out of the database and its backups.
WEBHOOK_SECRET_KEYS = env.list("WEBHOOK_SECRET_KEYS", default=[])
# Email of the events (to vendors' contacts and to officials); off: webhooks only.
NOTIFICATION_EMAILS = env.bool("NOTIFICATION_EMAILS", default=True)
