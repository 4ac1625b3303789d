"""Tandem settings: one module, configured from the environment.

Every setting has a safe development default so `make run` works on a fresh machine with SQLite and
Celery in eager mode. Production (``DEBUG=False``) refuses to start without a real ``SECRET_KEY``.
The README lists every variable read here.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEV_SECRET_KEY = "django-insecure-tandem-development-key-do-not-use-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
PLACEHOLDER_SECRET_MARKERS = ("django-insecure", "change-me", "changeme", "replace-me")
if not DEBUG and (
    SECRET_KEY == DEV_SECRET_KEY
    or len(SECRET_KEY) < 50
    or any(marker in SECRET_KEY.lower() for marker in PLACEHOLDER_SECRET_MARKERS)
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # used by allauth's two-factor pages
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "partnerships.core",
    "accounts",
    "partnerships.organisations",
    "partnerships.curriculum",
    "partnerships.projects",
    "partnerships.placements",
    "partnerships.activity",
    "events",
    "partnerships.matching",
    "partnerships.notifications",
    "partnerships.stories",
    "partnerships.impact",
    "partnerships.audit",
]

MIDDLEWARE = [
    "partnerships.core.middleware.RequestIdMiddleware",
    "partnerships.core.middleware.RejectNulCharactersMiddleware",
    "partnerships.core.middleware.StorageUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "partnerships.audit.context.AuditContextMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.AccountFormStatusMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.RequireAdminMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "partnerships.urls"
WSGI_APPLICATION = "partnerships.wsgi.application"
ASGI_APPLICATION = "partnerships.asgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "partnerships.core.context_processors.site",
                "partnerships.notifications.context_processors.notification_bell",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # A database that hangs instead of refusing must not hold a worker for the system's TCP
    # connect timeout (minutes): give up after a few seconds (``?connect_timeout=`` overrides).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

# The cache (page cache, throttles, rate limits) is the broker's Redis unless CACHE_URL names
# another; without either, each process keeps its own in memory.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "partnerships.core.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Anonymous visitors' browse and search pages are served from the cache for this long at most
# (partnerships/core/page_cache.py; changes made through the app refresh them at once). 0: off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=30)

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.backends.PlatformAdminBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tandem] "
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Two-factor authentication: an authenticator app (TOTP) with recovery codes, for everyone;
# platform admins cannot use the site until they have turned it on (RequireAdminMFAMiddleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tandem"
# Required in production; the quick-start demo (DEBUG) lets its admin in without an app.
MFA_REQUIRED_FOR_ADMINS = env.bool("MFA_REQUIRED_FOR_ADMINS", default=not DEBUG)
# Signed-in sessions are listed (device, IP, when) and the others can be signed out. Recorded at
# sign-in only: tracking every request would cost two writes per page view.
USERSESSIONS_TRACK_ACTIVITY = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/180s/key",
}
# Number of reverse proxies in front of gunicorn; allauth reads the client IP for rate limits from
# X-Forwarded-For only when this is set.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# `manage.py backup` (make backup) writes here; keep it off the machine too (docs/operations.md).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "backups")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads go to MEDIA_ROOT on this machine, or, when MEDIA_BUCKET is set, to a private
# S3-compatible bucket that web and worker containers on several hosts share
# (partnerships/core/storage.py). Credentials left empty come from boto3's usual places (the
# AWS_* environment variables, an instance or container role).
MEDIA_BUCKET = env.str("MEDIA_BUCKET", default="")
if MEDIA_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "partnerships.core.storage.PrivateBucketStorage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "location": env.str("MEDIA_PREFIX", default=""),
            "endpoint_url": env.str("MEDIA_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_REGION", default="") or None,
            "access_key": env.str("MEDIA_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDIA_SECRET_ACCESS_KEY", default="") or None,
            "file_overwrite": False,  # as on disk: a new upload never replaces another file
        },
    }
MAX_IMAGE_UPLOAD_BYTES = env.int("MAX_IMAGE_UPLOAD_BYTES", default=2 * 1024 * 1024)
MAX_DOCUMENT_UPLOAD_BYTES = env.int("MAX_DOCUMENT_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
if EMAIL_CONFIG.get("EMAIL_FILE_PATH"):
    # django-environ drops the leading slash of filemail:///absolute/path.
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = "/" + EMAIL_CONFIG["EMAIL_FILE_PATH"].lstrip("/")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tandem <no-reply@tandem.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PLATFORM_ADMIN_EMAILS = env.list("PLATFORM_ADMIN_EMAILS", default=[])

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="tandem")
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when Redis is away, so a request never hangs on the broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": 3600,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "projects-close-expired-opportunities": {
        "task": "partnerships.projects.tasks.close_expired_opportunities",
        "schedule": 300.0,
    },
    "projects-nudge-unanswered-proposals": {
        "task": "partnerships.projects.tasks.nudge_unanswered_proposals",
        "schedule": 3600.0,
    },
}
# Owners are reminded of proposals left unanswered this many days.
PROPOSAL_NUDGE_DAYS = env.int("PROPOSAL_NUDGE_DAYS", default=7)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call answers 401 with a WWW-Authenticate header.
        "accounts.authentication.TwoFactorAwareTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "partnerships.core.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "partnerships.core.throttling.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "write": env.str("API_THROTTLE_WRITE", default="120/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "partnerships.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "partnerships.core.api.exception_handler",
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Partnerships between universities and the creative industries.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Security -------------------------------------------------------------------------------
# Content Security Policy (django-csp): scripts, styles, fonts and everything else from this site
# only; no inline script or style anywhere (templates keep them in static/). data: images only for
# the two-factor QR code allauth draws.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs: JSON lines with the request id in production (LOG_FORMAT=json), readable text otherwise.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partnerships.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "partnerships.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver prints its own access lines; production logs one JSON line per request.
        "tandem.request": {"level": "WARNING" if DEBUG else "INFO"},
        # In eager mode every task would log a line into the runserver output.
        "celery.app.trace": {"level": "WARNING" if not REDIS_URL else "INFO"},
    },
}
# The worker logs through the configuration above (with request ids), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE["curriculum-close-expired"] = {
    "task": "partnerships.curriculum.tasks.close_expired_reviews",
    "schedule": 60 * 60,  # hourly: open reviews past their deadline are closed
}
# A person may send this many proposals in 24 hours (HTML and API); more answer 429.
PROPOSALS_PER_DAY = env.int("PROPOSALS_PER_DAY", default=20)
MAX_CV_UPLOAD_BYTES = env.int("MAX_CV_UPLOAD_BYTES", default=5 * 1024 * 1024)
CELERY_BEAT_SCHEDULE["placements-close-expired"] = {
    "task": "partnerships.placements.tasks.close_expired_placements",
    "schedule": 300.0,  # open placements past their deadline are closed and owners told
}
# --- Privacy ----------------------------------------------------------------------------------
# CVs are deleted this many days after their placement closed (shown on the privacy page).
CV_RETENTION_DAYS = env.int("CV_RETENTION_DAYS", default=180)
# A person may download their data this many times an hour (pages and API together).
PRIVACY_EXPORTS_PER_HOUR = env.int("PRIVACY_EXPORTS_PER_HOUR", default=5)
CELERY_BEAT_SCHEDULE["placements-delete-expired-cvs"] = {
    "task": "partnerships.placements.tasks.delete_expired_cvs",
    "schedule": crontab(hour=4, minute=15),  # nightly: CVs past CV_RETENTION_DAYS are deleted
}

# --- Events ---------------------------------------------------------------------------------
# Confirmed attendees are reminded this many hours before an event starts (once each).
EVENT_REMINDER_HOURS = env.int("EVENT_REMINDER_HOURS", default=24)
# Organisers may message an event's registrants at most this many times a day.
EVENT_MESSAGES_PER_DAY = env.int("EVENT_MESSAGES_PER_DAY", default=5)
CELERY_BEAT_SCHEDULE["events-send-reminders"] = {
    "task": "events.tasks.send_event_reminders",
    "schedule": 300.0,  # every five minutes: reminders due in the window are claimed and sent
}
CELERY_BEAT_SCHEDULE["events-complete-ended"] = {
    "task": "events.tasks.complete_ended_events",
    "schedule": 900.0,
}

# --- Matching and notifications --------------------------------------------------------------
# Score weights (they add up to 100) and the bar a match must reach to notify anyone.
MATCHING_WEIGHTS = {
    "skills": env.int("MATCHING_WEIGHT_SKILLS", default=60),
    "sector": env.int("MATCHING_WEIGHT_SECTOR", default=15),
    "place": env.int("MATCHING_WEIGHT_PLACE", default=15),
    "dates": env.int("MATCHING_WEIGHT_DATES", default=10),
}
MATCHING_NOTIFY_MIN_SCORE = env.int("MATCHING_NOTIFY_MIN_SCORE", default=50)
# How each type is emailed until a person chooses (instant, daily, weekly or off).
NOTIFICATION_DEFAULTS = {
    "placement_match": "daily",
    "opportunity_match": "daily",
    "event_match": "weekly",
    "saved_search": "daily",
    "application": "instant",
    "proposal": "instant",
    "registration": "instant",
    "approval": "instant",
    # Testimonial requests, stories to approve, quotes to consent to: each asks for an action.
    "story": "instant",
}
# Outbox entries older than this are dispatched again by the sweep (a broker outage left them).
OUTBOX_SWEEP_AFTER_SECONDS = env.int("OUTBOX_SWEEP_AFTER_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"] = {
    "task": "partnerships.notifications.tasks.sweep_outbox",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["notifications-send-instant"] = {
    "task": "partnerships.notifications.tasks.send_instant_emails",
    "schedule": 60.0,  # a safety net: instant emails are normally queued right after dispatch
}
CELERY_BEAT_SCHEDULE["notifications-daily-digest"] = {
    "task": "partnerships.notifications.tasks.send_digests",
    "schedule": crontab(hour=7, minute=0),
    "kwargs": {"frequency": "daily"},
}
CELERY_BEAT_SCHEDULE["notifications-weekly-digest"] = {
    "task": "partnerships.notifications.tasks.send_digests",
    "schedule": crontab(hour=7, minute=0, day_of_week=1),
    "kwargs": {"frequency": "weekly"},
}
CELERY_BEAT_SCHEDULE["matching-refresh-skill-weights"] = {
    "task": "partnerships.matching.tasks.refresh_skill_weights",
    "schedule": crontab(hour=3, minute=30),
}
MATCHING_ORGANISATION_WEIGHTS = {
    "sectors": env.int("MATCHING_ORG_WEIGHT_SECTORS", default=45),
    "skills": env.int("MATCHING_ORG_WEIGHT_SKILLS", default=30),
    "place": env.int("MATCHING_ORG_WEIGHT_PLACE", default=25),
}
MATCHING_EVENT_WEIGHTS = {
    "sectors": env.int("MATCHING_EVENT_WEIGHT_SECTORS", default=50),
    "place": env.int("MATCHING_EVENT_WEIGHT_PLACE", default=30),
    "role": env.int("MATCHING_EVENT_WEIGHT_ROLE", default=20),
}
MATCHING_EVENT_MIN_SCORE = env.int("MATCHING_EVENT_MIN_SCORE", default=60)
# Stored recommendations: the fan-out keeps every student's match from this score, and a profile
# change recomputes that student's best this many.
MATCHING_RECOMMEND_MIN_SCORE = env.int("MATCHING_RECOMMEND_MIN_SCORE", default=50)
MATCHING_RECOMMEND_KEEP = env.int("MATCHING_RECOMMEND_KEEP", default=50)
CELERY_BEAT_SCHEDULE["matching-prune-recommendations"] = {
    "task": "partnerships.matching.tasks.prune_recommendations",
    "schedule": crontab(hour=3, minute=45),
}
