"""Settings for the export-licence registry, read from the environment.

Every value that differs between a developer's laptop and production comes from an environment
variable (see the README's "Configuration" section). The defaults are for development: a SQLite
file beside manage.py and an in-process cache. With ``DEBUG`` off the registry refuses to start
without a ``SECRET_KEY``.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment; only a DEBUG run may go without."
        )
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "registry.audit",
]

MIDDLEWARE = [
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
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default so that a newcomer needs no server; PostgreSQL in production.
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "registry.User"

# --- Cache ----------------------------------------------------------------------------------
# A redis:// CACHE_URL makes throttles and caches shared by every app server.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://registry")}

# --- Authentication -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- History --------------------------------------------------------------------------------
# A (history_date, id) index on every history table: the as-of queries filter on both.
SIMPLE_HISTORY_DATE_INDEX = "Composite"
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# The key of the audit chain's HMAC: without it a recomputed chain does not verify. Like
# SECRET_KEY, required with DEBUG off; keep it out of the database and its backups.
AUDIT_KEY = env.str("AUDIT_KEY", default="")
if not AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_KEY is not set. Set it in the environment; only a DEBUG run may go without."
        )
    AUDIT_KEY = "development-only-audit-key-do-not-use-in-production"

# --- REST framework: the vendors' API (registry/api/) ---------------------------------------
INSTALLED_APPS += [
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
REST_FRAMEWORK = {
    # Deny unless a view says otherwise; each API view names its own permissions.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["registry.api.authentication.TokenAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["registry.api.parsers.LimitedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "registry.api.negotiation.ContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.PageNumberPagination",
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
# How long the shared cache may answer for a token and its user's permissions
# (registry.api.credentials); revocations and changes of rights drop the entries at once, this
# bounds anything else. 0: off.
API_CREDENTIALS_CACHE_SECONDS = env.int("API_CREDENTIALS_CACHE_SECONDS", default=60)
# How long a country's standing may be answered from the shared cache (countries.selectors);
# applying a revision rewrites every entry at once, this bounds anything else. 0: off.
COUNTRY_CACHE_SECONDS = env.int("COUNTRY_CACHE_SECONDS", default=60)

SPECTACULAR_SETTINGS = {
    "TITLE": "Export-licence registry: API for vendors",
    "DESCRIPTION": (
        "Vendors register products, check destinations against the whitelist, submit and follow "
        "licence applications and read their licences. Authenticate with "
        "`Authorization: Token <key>` (or `Bearer <key>`); get a key from the ministry "
        "(`manage.py issue_token USERNAME`)."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "licenses.models.ApplicationStatus",
        "LicenceStatusEnum": "licenses.models.LicenceStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registry.api.schema.document_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# In development and tests WhiteNoise serves from the app folders; in production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Web sign-in throttling (django-axes) ---------------------------------------------------
# Repeated failed sign-ins for one username from one address lock that pair out for a while; the
# count is kept in the database, so every app server sees it. A sign-in without a web request
# (the shell, the test client) is not throttled: see registry.throttling.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "registry.throttling.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

# --- Production: security, logging, replicas, static files ----------------------------------
# Off DEBUG every secure default is on, so `manage.py check --deploy` is clean with only
# SECRET_KEY and ALLOWED_HOSTS set (see the README's "Deployment" section). Behind a proxy that
# ends TLS, set SECURE_PROXY_SSL_HEADER so the app knows the request arrived over HTTPS.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
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
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)

# One JSON line per request (registry.middleware.RequestLogMiddleware), for log collectors.
LOGGING["formatters"] = {"json": {"()": "registry.logging.JsonFormatter"}}
LOGGING["handlers"]["requests"] = {"class": "logging.StreamHandler", "formatter": "json"}
LOGGING["loggers"] = {
    "registry.requests": {
        "handlers": ["requests"],
        "level": env.str("REQUEST_LOG_LEVEL", default="INFO"),
        "propagate": False,
    },
}

# A read replica for the auditors' read-only pages: DATABASE_REPLICA_URL adds the "replica"
# alias, and registry.db_router sends those pages' reads to it (see registry/db_router.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(env.str("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["registry.db_router.ReplicaRouter"]
REPLICA_PATH_PREFIXES = env.list("REPLICA_PATH_PREFIXES", default=["/audit/"])

# Benchmarks only: `python -m bench` sets REGISTRY_BENCH_URLS=1 so that its bare baseline views
# exist in the server it measures. Never set it in production.
if env.bool("REGISTRY_BENCH_URLS", default=False):
    ROOT_URLCONF = "bench.urls"

# --- Web sessions: timeouts, no-store, sign-in names (begin) --------------------------------
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env.int("SESSION_ABSOLUTE_TIMEOUT_HOURS", default=12)
if SESSION_IDLE_TIMEOUT_MINUTES <= 0 or SESSION_ABSOLUTE_TIMEOUT_HOURS <= 0:
    raise ImproperlyConfigured("The session timeouts must be positive whole numbers.")
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
MIDDLEWARE += ["registry.sessions.NoStoreMiddleware"]
MIDDLEWARE += ["registry.sessions.SessionTimeoutMiddleware"]
AXES_USERNAME_CALLABLE = "registry.sign_in.attempted_username"
# --- Web sessions (end) ---------------------------------------------------------------------
