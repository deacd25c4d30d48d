"""Django settings, read from the environment with embedded defaults for a laptop."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ANNOTATOR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    raw = os.environ.get(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()] or default


DEV_SECRET_KEY = "dev-insecure-annotator-key-do-not-use-in-production"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("DEBUG is off but SECRET_KEY is the development key: set SECRET_KEY in the environment.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "annotator.core",
    "annotator.accounts",
    "annotator.projects",
    "annotator.imaging",
    "annotator.annotations",
    "annotator.exports",
    "annotator.imports",
    "annotator.uploads",
    "annotator.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "annotator.core.headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "annotator.urls"
WSGI_APPLICATION = "annotator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "annotator" / "templates"],
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'annotator.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# API tokens expire this many days after they were issued (0: never); logout and password changes revoke them.
ANNOTATOR_TOKEN_MAX_AGE_DAYS = int(os.environ.get("ANNOTATOR_TOKEN_MAX_AGE_DAYS", 30))
# Failed logins (API token, browser, admin) allowed per account and per client address in one window.
ANNOTATOR_LOGIN_WINDOW_SECONDS = int(os.environ.get("ANNOTATOR_LOGIN_WINDOW_SECONDS", 15 * 60))
ANNOTATOR_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("ANNOTATOR_LOGIN_FAILURES_PER_ACCOUNT", 10))
ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS", 50))
# Proxies (IPs or CIDRs) whose X-Forwarded-For is believed; from anyone else the header is ignored.
ANNOTATOR_TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# The audit log records one image view per user and image in this many seconds (not every tile or frame).
ANNOTATOR_AUDIT_VIEW_WINDOW = int(os.environ.get("ANNOTATOR_AUDIT_VIEW_WINDOW", 10 * 60))
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [("app", FRONTEND_DIST)] if FRONTEND_DIST.is_dir() else []
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Storage: "local" keeps files under MEDIA_ROOT; "s3" keeps them in an S3-compatible bucket (django-storages'
# own AWS_* variables) and gives each process a private scratch folder for the files a step reads or writes.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local").strip().lower()
if STORAGE_BACKEND not in ("local", "s3"):
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', not {STORAGE_BACKEND!r}")
SCRATCH_DIR = Path(os.environ.get("SCRATCH_DIR", VAR_DIR / "scratch"))
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE", "path")
if STORAGE_BACKEND == "s3" and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
# With an object store, thumbnails, tiles and export downloads may answer with a redirect to a presigned URL.
ANNOTATOR_PRESIGNED_REDIRECTS = env_bool("ANNOTATOR_PRESIGNED_REDIRECTS", False)
ANNOTATOR_PRESIGNED_SECONDS = int(os.environ.get("ANNOTATOR_PRESIGNED_SECONDS", 15 * 60))

# Uploads: files above this size go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
# A DICOM series arrives as one request of many files (the upload page sends a folder that way).
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("ANNOTATOR_MAX_FILES_PER_REQUEST", 2000))
ANNOTATOR_MAX_UPLOAD_BYTES = int(os.environ.get("ANNOTATOR_MAX_UPLOAD_BYTES", 2 * 1024**3))
# Resumable uploads: raw bytes wait outside media storage until ingest has de-identified them.
ANNOTATOR_UPLOAD_DIR = Path(os.environ.get("ANNOTATOR_UPLOAD_DIR", VAR_DIR / "uploads"))
ANNOTATOR_UPLOAD_CHUNK_BYTES = int(os.environ.get("ANNOTATOR_UPLOAD_CHUNK_BYTES", 64 * 1024**2))
ANNOTATOR_UPLOAD_QUOTA_BYTES = int(os.environ.get("ANNOTATOR_UPLOAD_QUOTA_BYTES", 20 * 1024**3))
ANNOTATOR_UPLOAD_TTL_HOURS = int(os.environ.get("ANNOTATOR_UPLOAD_TTL_HOURS", 24))
ANNOTATOR_ZIP_MAX_ENTRIES = int(os.environ.get("ANNOTATOR_ZIP_MAX_ENTRIES", 20_000))
ANNOTATOR_ZIP_MAX_BYTES = int(os.environ.get("ANNOTATOR_ZIP_MAX_BYTES", 20 * 1024**3))
# Raw uploads wait here (outside media storage) until ingest has de-identified them; None: the system's.
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
ANNOTATOR_MAX_IMAGE_PIXELS = int(os.environ.get("ANNOTATOR_MAX_IMAGE_PIXELS", 100_000**2))
ANNOTATOR_PROJECT_CREATE_STAFF_ONLY = env_bool("ANNOTATOR_PROJECT_CREATE_STAFF_ONLY", False)

# Celery: without a broker, tasks run in-process (eager) so a laptop needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "annotator.imaging.tasks.*": {"queue": "heavy"},
    "annotator.exports.tasks.*": {"queue": "heavy"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
ANNOTATOR_IMAGE_TASK_LIMIT = 60 * 60  # hard time limit of image processing (seconds)
ANNOTATOR_EXPORT_TASK_LIMIT = 4 * 60 * 60  # hard time limit of an export
ANNOTATOR_IMPORT_TASK_LIMIT = 2 * 60 * 60  # hard time limit of an import
ANNOTATOR_IMPORT_MAX_BYTES = int(os.environ.get("ANNOTATOR_IMPORT_MAX_BYTES", 1024**3))  # a file to import, unpacked
# Crash recovery (docs/operations.md): a running job's worker stamps its row every HEARTBEAT seconds; beat's
# reaper (every REAP_INTERVAL) re-queues a job whose stamp is older than STALE, and fails it with a reason
# after MAX_ATTEMPTS runs. The outbox relay sends tasks that waited out a broker outage.
ANNOTATOR_HEARTBEAT_SECONDS = float(os.environ.get("ANNOTATOR_HEARTBEAT_SECONDS", 15))
ANNOTATOR_HEARTBEAT_STALE_SECONDS = float(os.environ.get("ANNOTATOR_HEARTBEAT_STALE_SECONDS", 60))
ANNOTATOR_JOB_MAX_ATTEMPTS = int(os.environ.get("ANNOTATOR_JOB_MAX_ATTEMPTS", 3))
ANNOTATOR_REAP_INTERVAL_SECONDS = float(os.environ.get("ANNOTATOR_REAP_INTERVAL_SECONDS", 30))
ANNOTATOR_RELAY_INTERVAL_SECONDS = float(os.environ.get("ANNOTATOR_RELAY_INTERVAL_SECONDS", 10))
ANNOTATOR_SWEEP_INTERVAL_SECONDS = float(os.environ.get("ANNOTATOR_SWEEP_INTERVAL_SECONDS", 24 * 60 * 60))
ANNOTATOR_ORPHAN_MIN_AGE_SECONDS = float(os.environ.get("ANNOTATOR_ORPHAN_MIN_AGE_SECONDS", 24 * 60 * 60))


def _every(seconds: float, task: str) -> dict:
    """A beat entry that expires when the next one is due, so an outage never piles them up."""
    return {"task": task, "schedule": seconds, "options": {"expires": seconds, "queue": "default"}}


CELERY_BEAT_SCHEDULE = {
    "reap-uploads": _every(60 * 60, "annotator.uploads.tasks.reap_uploads"),
    "reap-jobs": _every(ANNOTATOR_REAP_INTERVAL_SECONDS, "annotator.core.tasks.reap_jobs"),
    "relay-outbox": _every(ANNOTATOR_RELAY_INTERVAL_SECONDS, "annotator.core.tasks.relay_outbox"),
    "sweep-files": _every(ANNOTATOR_SWEEP_INTERVAL_SECONDS, "annotator.core.tasks.sweep_files"),
}
# Redis re-delivers unacknowledged tasks after this; it must outlast the longest task (acks_late), else a
# live task would be delivered twice (the claim would make the copy a no-op, but it would hold a slot).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5 * 60 * 60}

# One cache for every process (login limits, throttles): Redis when there is one, else this process's memory.
CACHE_URL = os.environ.get("CACHE_URL") or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "annotator"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # This process's memory: for the per-user request throttle, whose history would cost a round trip per request.
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotator.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ErrorAwareAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonRateThrottle", "api.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("THROTTLE_USER", "100000/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Annotator API",
    "DESCRIPTION": "Label biomedical images and export training-ready datasets.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from our own static files: the docs work without a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "LabelKindEnum": "annotator.projects.models.LabelKind",
        "ImageKindEnum": "annotator.imaging.models.ImageKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"pyvips": {"level": "WARNING"}},
}

# Scripts only from this origin and never inline (app, admin, API docs); styles may be inline (OpenSeadragon,
# the admin); tiles may arrive as blob:/data: images.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)
if ANNOTATOR_PRESIGNED_REDIRECTS and AWS_S3_ENDPOINT_URL and "CONTENT_SECURITY_POLICY" not in os.environ:
    # Thumbnails then come from the object store: let the browser load images from its origin.
    _store_origin = "/".join(AWS_S3_ENDPOINT_URL.split("/")[:3])
    CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("img-src 'self'", f"img-src 'self' {_store_origin}")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Without DEBUG: HTTPS only (redirect, HSTS, secure cookies) unless PLAIN_HTTP=1 for a plain-http deployment
# (a laptop, a closed network); each part can also be turned off alone.
PLAIN_HTTP = env_bool("PLAIN_HTTP", False)
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not PLAIN_HTTP)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not PLAIN_HTTP)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not PLAIN_HTTP)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks probe plain http inside the network
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0 if PLAIN_HTTP else 365 * 24 * 60 * 60))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:  # preloading is a commitment to browser vendors: docs/deploy.md
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("TRUST_X_FORWARDED_PROTO", False):  # only behind a proxy that sets it: X-Forwarded-Proto: https is secure
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
