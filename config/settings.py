"""All settings, read from the environment (12-factor) with django-environ.

Values are parsed strictly: a malformed value is a start-up error, not a silent default.
Without REDIS_URL the portal runs in *embedded mode*: Celery uses Kombu's filesystem
transport under ``var/`` so `make run` needs no Redis and still runs the real worker.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config import log_redaction, security

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Under pytest the suite must not depend on a developer's SECRET_KEY or manifest static files.
TESTING = env.bool("TESTING", default="pytest" in sys.modules)
# `make run` (EMBEDDED) and DEBUG get a random key kept in var/; production must set a strong one.
DEV = DEBUG or env.bool("EMBEDDED", default=False)
SECRET_KEY = security.choose_secret_key(
    env.str("SECRET_KEY", default=""), dev=DEV, testing=TESTING, dev_key_file=VAR_DIR / "secret_key"
)
# Old keys still accepted for signatures while a new SECRET_KEY rolls out (comma-separated).
SECRET_KEY_FALLBACKS = security.check_fallback_keys(
    env.list("SECRET_KEY_FALLBACKS", default=[]), dev=DEV, testing=TESTING
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "formtools",
    "axes",
    # Optional TOTP two-factor for staff (config/two_factor.py): devices, tokens, throttling.
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Country names in the reader's language (its translation catalogues; no model of it is used).
    "django_countries",
    "countries",
    "teams",
    "senderids",
    "registrations",
    "supportcases",
    "profiles",
    "smsvoice",
    "audit",
    # Cross-request read cache invalidated by each app's writes (caching/__init__.py).
    "caching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CSP, Permissions-Policy, no-store on private pages: outermost, so every answer carries them.
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # 413 on CONTENT_LENGTH before anything reads the body (the language is known: a translated page).
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); then a user with a two-factor device reaches nothing before its token.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Control characters and malformed admin selections are refused before any view reads them.
    "config.middleware.HostileInputMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable database fails a connection in seconds (the 503 page), not after the OS's minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    # SQLite in embedded mode is shared with the worker process. Writers wait for the lock (timeout)
    # and take it when their transaction begins (IMMEDIATE): a transaction that read first and writes
    # later cannot wait for an upgrade, SQLite answers "database is locked" at once. WAL lets pages
    # read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if TESTING:
    # Personas log in constantly in tests; a deliberately slow hasher would dominate the suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
# Two-factor (TOTP, django-otp) is optional per staff member; true makes it required for every staff
# member (they are sent to set it up before anything else).
STAFF_REQUIRE_TWO_FACTOR = env.bool("STAFF_REQUIRE_TWO_FACTOR", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Sender ID portal")
# A failed token doubles the wait before the next attempt (django-otp's throttling), from 1 s.
OTP_TOTP_THROTTLE_FACTOR = 1
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Wizard data lives in the session: keep sessions short-lived (design: short expiry).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# --- Security (README "Production security settings"; names are Django's own) --------------------
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https" (only if the
# proxy always sets that header itself), then redirect, HSTS and secure cookies.
SECURE_PROXY_SSL_HEADER = security.parse_proxy_ssl_header(env.str("SECURE_PROXY_SSL_HEADER", default=""))
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Load balancers and the container healthcheck probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = security.env_int(env, "SECURE_HSTS_SECONDS", default=0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The admin's path (e.g. "backoffice/"): every link to it is reversed, so only this changes.
ADMIN_URL = security.parse_admin_url(env.str("ADMIN_URL", default="admin/"))

# Login throttling (django-axes): a username or a client address with AXES_FAILURE_LIMIT failed logins
# in a row is locked for AXES_COOLOFF_MINUTES, on /accounts/login/ and the admin's login alike. Admins
# unlock earlier by deleting the access attempt in admin or with `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = security.env_int(env, "AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_MINUTES = security.env_int(env, "AXES_COOLOFF_MINUTES", default=15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
# Failures expire with the cool-off, not on a success: logging in to one's own account between guesses
# would otherwise reset the address's count too.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "config.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.auth.client_ip"
# A failed login's form is kept (admin: access attempts) without its CSRF token, not only the password.
AXES_SENSITIVE_PARAMETERS = log_redaction.AXES_SENSITIVE_PARAMETERS
# Proxies in front of the portal that append to X-Forwarded-For (0: REMOTE_ADDR is the client). Behind
# one proxy, set 1, or every client shares the proxy's address and one attacker locks everybody out.
TRUSTED_PROXY_COUNT = security.env_int(env, "TRUSTED_PROXY_COUNT", default=0, minimum=0)
AUTHENTICATION_BACKENDS = ["config.auth.LoginThrottleBackend", "config.auth.CachedUserBackend"]

# Request size. The largest legitimate body is a registration form: at most 12 attachments of 500 KB
# (Indonesia's form has 12) plus its text fields (34 fields of at most 2,048 characters). Anything larger
# is refused with 413 from CONTENT_LENGTH, before a byte is read (config.middleware); set the reverse
# proxy's limit to the same value (nginx: client_max_body_size 8m).
MiB = 1024 * 1024
REQUEST_MAX_BODY_BYTES = security.env_int(env, "REQUEST_MAX_BODY_BYTES", default=8 * MiB, minimum=MiB)
# Non-file form data: a registration form (34 fields x 2,048 characters) is at most ~630 KB even fully
# percent-encoded; 2.5 MiB (Django's default, kept on purpose) leaves room for the wizard's own fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * MiB // 2
# Attachments up to 500 KB stay in memory; anything larger spills to a temporary file (then is refused).
FILE_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
# An admin action on a full changelist page (250 rows) plus the form's own fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED_BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A Redis that stops answering (frozen, a dead link) fails a publish in seconds instead of hanging
    # the web request (the outbox keeps the message); the worker's BRPOP polls every second, well within.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(EMBEDDED_BROKER_DIR / "queue"),
        "data_folder_out": str(EMBEDDED_BROKER_DIR / "queue"),
        "processed_folder": str(EMBEDDED_BROKER_DIR / "processed"),
        # Broadcasts (remote control) too, or Kombu writes them to ./control in the working directory.
        "control_folder": str(EMBEDDED_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# --- Cache: Redis when present (shared rate budget), else process-local -------------------------
CACHES = {
    "default": (
        {
            # Django's Redis backend, reusing its client objects (caching/redis.py).
            "BACKEND": "caching.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A page never waits long on a Redis that stopped answering.
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The read cache (caching/) needs a cache every process shares: Redis. Embedded mode reads directly.
READ_CACHE_ENABLED = env.bool("READ_CACHE_ENABLED", default=bool(REDIS_URL))
# Sessions: the table, with the shared cache in front of it when there is one (config/sessions.py).
SESSION_ENGINE = "config.sessions" if READ_CACHE_ENABLED else "django.contrib.sessions.backends.db"

# --- Portal -------------------------------------------------------------------------------------
SENDERIDS_REQUIRE_APPROVAL = env.bool("SENDERIDS_REQUIRE_APPROVAL", default=True)
# A request waiting on AWS with no change for this many days is flagged on tracking and in the digest.
SENDERIDS_NO_PROGRESS_DAYS = env.int("SENDERIDS_NO_PROGRESS_DAYS", default=7)
REGISTRATION_POLL_SECONDS = env.int("REGISTRATION_POLL_SECONDS", default=300)
AWS_SMS_TPS = env.float("AWS_SMS_TPS", default=1.0)
AWS_REGION = env.str("AWS_REGION", default="us-east-1")
# botocore reads AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 / AWS_ENDPOINT_URL_SUPPORT / AWS_ENDPOINT_URL_SQS
# itself; they are mirrored here so the gateway can say where it talks to.
AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = env.str("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", default="")
AWS_ENDPOINT_URL_SUPPORT = env.str("AWS_ENDPOINT_URL_SUPPORT", default="")
AWS_ENDPOINT_URL_SQS = env.str("AWS_ENDPOINT_URL_SQS", default="")
# AWS's Registration Status Change events (deploy/eventbridge-sqs.yaml): the SQS queue of the default
# account (an account's own `events_queue_url` overrides it; empty: polling only). Beat's
# `consume_aws_events` long-polls each queue for up to AWS_EVENTS_WAIT_SECONDS (0–20) per receive, and
# event ids are kept AWS_EVENTS_RETENTION_DAYS to drop duplicates: longer than SQS keeps a message (≤14
# days) and EventBridge retries a delivery (24 h).
AWS_EVENTS_QUEUE_URL = env.str("AWS_EVENTS_QUEUE_URL", default="")
AWS_EVENTS_WAIT_SECONDS = env.int("AWS_EVENTS_WAIT_SECONDS", default=20)
AWS_EVENTS_RETENTION_DAYS = env.int("AWS_EVENTS_RETENTION_DAYS", default=15)
if not 0 <= AWS_EVENTS_WAIT_SECONDS <= 20:
    raise ImproperlyConfigured("AWS_EVENTS_WAIT_SECONDS must be 0 to 20 (SQS's longest long poll).")
if AWS_EVENTS_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AWS_EVENTS_RETENTION_DAYS must be at least 1 (days).")
# The AWS call log (smsvoice.AwsCall) keeps this many days; beat prunes older rows daily.
AWS_CALL_RETENTION_DAYS = env.int("AWS_CALL_RETENTION_DAYS", default=90)
if AWS_CALL_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AWS_CALL_RETENTION_DAYS must be at least 1 (days).")
# The AWS Support API lives in us-east-1 only (global endpoint).
AWS_SUPPORT_REGION = env.str("AWS_SUPPORT_REGION", default="us-east-1")

# --- Registrations and support cases (registrations app) ------------------------------------------
# How long API registration definitions (sections/fields) are cached before being fetched again.
REGISTRATION_DEFINITION_TTL_SECONDS = env.int("REGISTRATION_DEFINITION_TTL_SECONDS", default=86400)
# How sender-ID support cases reach AWS Support (supportcases app): "assisted" (default: the portal
# prepares the case exactly as the Support Center form asks for it and staff open it in the console) or
# "api" (CreateCase; allowed only once `manage.py check_aws` confirmed the plan and the codes).
SUPPORT_CASE_MODE = env.str("SUPPORT_CASE_MODE", default="assisted")
if SUPPORT_CASE_MODE not in ("assisted", "api"):
    raise ImproperlyConfigured("SUPPORT_CASE_MODE must be 'assisted' or 'api'.")
# Codes for CreateCase; check them against your account's DescribeServices before production.
SUPPORT_CASE_SERVICE_CODE = env.str("SUPPORT_CASE_SERVICE_CODE", default="amazon-pinpoint")
SUPPORT_CASE_CATEGORY_CODE = env.str("SUPPORT_CASE_CATEGORY_CODE", default="sender-id-registration")
SUPPORT_CASE_SEVERITY_CODE = env.str("SUPPORT_CASE_SEVERITY_CODE", default="low")
# The request wizard forgets an abandoned run after this many idle seconds.
SENDERIDS_WIZARD_IDLE_SECONDS = env.int("SENDERIDS_WIZARD_IDLE_SECONDS", default=3600)

# --- Submission pipeline (senderids.tasks) --------------------------------------------------------
# Retries of retryable AWS errors: exponential backoff with full jitter, base * 2**n capped at max.
SENDERIDS_SUBMIT_MAX_RETRIES = env.int("SENDERIDS_SUBMIT_MAX_RETRIES", default=8)
SENDERIDS_SUBMIT_RETRY_BASE = env.float("SENDERIDS_SUBMIT_RETRY_BASE", default=2.0)
SENDERIDS_SUBMIT_RETRY_MAX = env.float("SENDERIDS_SUBMIT_RETRY_MAX", default=120.0)
# The sweeper (beat) re-enqueues requests untouched in approved/submitting for longer than these
# many seconds (plus the time the current backlog needs at AWS_SMS_TPS): lost broker messages.
SENDERIDS_SWEEP_INTERVAL = env.float("SENDERIDS_SWEEP_INTERVAL", default=15.0)
SENDERIDS_SWEEP_APPROVED_AFTER = env.float("SENDERIDS_SWEEP_APPROVED_AFTER", default=300.0)
SENDERIDS_SWEEP_SUBMITTING_AFTER = env.float("SENDERIDS_SWEEP_SUBMITTING_AFTER", default=900.0)
SENDERIDS_SWEEP_BATCH = env.int("SENDERIDS_SWEEP_BATCH", default=500)
if (
    min(SENDERIDS_SUBMIT_MAX_RETRIES, SENDERIDS_SUBMIT_RETRY_BASE, SENDERIDS_SUBMIT_RETRY_MAX) < 0
    or min(SENDERIDS_SWEEP_INTERVAL, SENDERIDS_SWEEP_APPROVED_AFTER, SENDERIDS_SWEEP_SUBMITTING_AFTER) < 0
    or SENDERIDS_SWEEP_INTERVAL == 0
    or SENDERIDS_SWEEP_BATCH <= 0
):
    raise ImproperlyConfigured(
        "SENDERIDS_SUBMIT_* / SENDERIDS_SWEEP_* must be non-negative (interval, batch > 0)."
    )
# Beat: how often `sync_sender_ids` reconciles our sender IDs with DescribeSenderIds (seconds).
SENDERIDS_SYNC_INTERVAL = env.float("SENDERIDS_SYNC_INTERVAL", default=3600.0)
if SENDERIDS_SYNC_INTERVAL <= 0:
    raise ImproperlyConfigured("SENDERIDS_SYNC_INTERVAL must be positive (seconds).")
# Absolute base of links in notification emails.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Webhooks (senderids.webhooks) ------------------------------------------------------------------
# Attempts per delivery (then it is marked failed; "Resend" starts a new round), and the backoff between
# them: base * 2**(n-1) seconds with jitter, capped at max. Each attempt connects within CONNECT_TIMEOUT
# and is over within TIMEOUT seconds, whatever the endpoint does. The retry sweep (beat) runs every
# SWEEP_INTERVAL seconds. QUEUE (optional) routes deliveries to their own Celery queue; a worker must
# then consume it (`celery worker -Q celery,webhooks`). ALLOW_LOCALHOST admits http:// and loopback
# endpoints (local receivers): DEBUG and tests only by default, never in production.
SENDERIDS_WEBHOOK_MAX_ATTEMPTS = env.int("SENDERIDS_WEBHOOK_MAX_ATTEMPTS", default=8)
SENDERIDS_WEBHOOK_RETRY_BASE = env.float("SENDERIDS_WEBHOOK_RETRY_BASE", default=30.0)
SENDERIDS_WEBHOOK_RETRY_MAX = env.float("SENDERIDS_WEBHOOK_RETRY_MAX", default=3600.0)
SENDERIDS_WEBHOOK_CONNECT_TIMEOUT = env.float("SENDERIDS_WEBHOOK_CONNECT_TIMEOUT", default=5.0)
SENDERIDS_WEBHOOK_TIMEOUT = env.float("SENDERIDS_WEBHOOK_TIMEOUT", default=10.0)
SENDERIDS_WEBHOOK_SWEEP_INTERVAL = env.float("SENDERIDS_WEBHOOK_SWEEP_INTERVAL", default=15.0)
SENDERIDS_WEBHOOK_QUEUE = env.str("SENDERIDS_WEBHOOK_QUEUE", default="")
SENDERIDS_WEBHOOK_ALLOW_LOCALHOST = env.bool("SENDERIDS_WEBHOOK_ALLOW_LOCALHOST", default=DEBUG or TESTING)
if (
    SENDERIDS_WEBHOOK_MAX_ATTEMPTS < 1
    or min(SENDERIDS_WEBHOOK_RETRY_BASE, SENDERIDS_WEBHOOK_RETRY_MAX) < 0
    or min(SENDERIDS_WEBHOOK_CONNECT_TIMEOUT, SENDERIDS_WEBHOOK_TIMEOUT) <= 0
    or SENDERIDS_WEBHOOK_SWEEP_INTERVAL <= 0
    or SENDERIDS_WEBHOOK_CONNECT_TIMEOUT > SENDERIDS_WEBHOOK_TIMEOUT
):
    raise ImproperlyConfigured(
        "SENDERIDS_WEBHOOK_*: at least one attempt, non-negative backoff, positive timeouts and sweep "
        "interval, and a connect timeout no longer than the total timeout."
    )

# --- Email --------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sender ID portal <noreply@localhost>")
# Notification emails are sent inline by web and worker processes: never let SMTP hang them.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Every handler redacts secrets (AWS credentials, webhook secrets, session/CSRF values, passwords), even
# with LOG_LEVEL=DEBUG: config/log_redaction.py.
LOGGING = log_redaction.redacting(
    {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
        "loggers": {"botocore": {"level": "WARNING"}, "urllib3": {"level": "WARNING"}},
    }
)
# Django's error report (email to ADMINS, DEBUG page) without the CSRF secret or form tokens/passwords.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.log_redaction.SafeExceptionReporterFilter"

# Dev and tests serve static files straight from the finders; production uses collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
