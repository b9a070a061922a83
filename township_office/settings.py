"""Settings for the township office system.

Everything that differs between an office PC and a county server comes from the
environment (see ``.env.example``); nothing else changes between the two.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a boolean: only true/false/1/0 (any case) are accepted."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be true/false/1/0, got {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None


def env_list(name, default=""):
    """A comma-separated list; blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name, default=None):
    """Read a secret from ``NAME_FILE`` (a path, e.g. a Docker secret) first, then ``NAME``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


DATA_DIR = Path(os.environ.get("DATA_DIR") or BASE_DIR / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _installation_secret(name, filename):
    key = env_secret(name)
    if key:
        return key
    # Generated once per installation and kept outside git.
    key_file = DATA_DIR / filename
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _installation_secret("SECRET_KEY", "secret_key")
# The audit chain's key (township_office/auditchain.py): never in the database, so that whoever holds the database
# cannot recompute the chain after changing an event. Backups carry it like the generated secret key.
AUDIT_KEY = _installation_secret("AUDIT_KEY", "audit_key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
# The address people open the system at (http://192.168.1.10:8000): the links inside PDFs made without a request
# (the morning report made by beat) start with it. Empty: those PDFs link only when a request made them.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- HTTPS and browser security (all off by default: an office PC serves plain HTTP) ---
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Addresses (or networks, e.g. 10.0.0.0/8) of the reverse proxies in front of gunicorn. A request
# from one of them is taken as HTTPS when it says so (X-Forwarded-Proto), and the audit log records
# the client address it forwards (X-Forwarded-For). Empty: the connecting address is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Session idle timeout (等保2.0 三级): signed out after this many minutes without a request.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Content-Security-Policy (django-csp): scripts and styles from this site only, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "township_office.admin_apps.AdminConfig",  # django.contrib.admin, every change audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "guardian",
    "axes",
    "sequences",
    "township_office",
    "documents",
    "visitors",
    "seals",
    "reception",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A database outage: the Chinese maintenance page (503), not a 500.
    "township_office.middleware.DatabaseUnavailableMiddleware",
    "township_office.middleware.NoStoreMiddleware",
    "township_office.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "township_office.middleware.ClientAddressMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "township_office.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "township_office.urls"
WSGI_APPLICATION = "township_office.wsgi.application"

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
                "township_office.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# No DATABASE_URL: a SQLite file in the data folder (WAL, busy timeout,
# IMMEDIATE transactions so that two writers queue instead of failing).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("TEST_DATABASE_NAME", "test_township")
        # A database that does not answer: give up after 5 s (the maintenance page), never hang.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "township.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "township_office.User"

# --- Authentication -------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "township_office.backends.OfficeBackend",  # ModelBackend, loading the person's groups with them
    "guardian.backends.ObjectPermissionBackend",
]
# Password rules for 等保2.0 level 3 (township_office/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "township_office.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "township_office.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "township_office.passwords.UsernameNotContainedValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "township_office:todo"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address after repeated failures.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# django-guardian: no anonymous user object, direct foreign-key permission tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"

# --- Static and uploaded files -------------------------------------------
STATIC_URL = "static/"
# Built from the checkout by collectstatic (make, deploy, and restore when missing): code, not data, so outside
# DATA_DIR. A restore into an empty data folder serves every page at once.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "/media/"  # never served directly: files go through permission-checked views
# Attachment previews (converted PDFs, page images), one folder per file content; safe to delete.
PREVIEW_ROOT = Path(os.environ.get("PREVIEW_ROOT") or DATA_DIR / "previews")
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Celery ---------------------------------------------------------------
# No broker: tasks run in-process (eagerly). A redis:// URL: a real worker and beat.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that does not answer: give up within 2 s and leave the task in the outbox
# (township_office/outbox.py), never hang a request.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 0}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_TASK_PUBLISH_RETRY = False

# --- Cache ------------------------------------------------------------------
# One cache for every process (gunicorn's workers, the Celery worker, run_schedule): the 待办 badge is kept
# there and forgotten there when a step changes it (township_office/todo.py), so no worker shows an old count.
# CACHE_URL (redis://, rediss://, unix://), else the broker's Redis, else files in DATA_DIR/cache (one PC).
CACHE_URL = os.environ.get("CACHE_URL", "")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
if CACHE_URL and not CACHE_URL.startswith(REDIS_SCHEMES):
    raise ImproperlyConfigured("CACHE_URL must be a Redis URL (redis://, rediss:// or unix://), or empty")
_CACHE_REDIS = CACHE_URL or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(REDIS_SCHEMES) else "")
if _CACHE_REDIS:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_REDIS,
            "KEY_PREFIX": "township",  # beside the broker's keys in the same Redis database
            # A Redis that does not answer costs a page at most this long (todo.py then counts afresh).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

# The scheduler's heartbeat: /healthz fails when it is older than twice this.
BEAT_HEARTBEAT_SECONDS = env_int("BEAT_HEARTBEAT_SECONDS", 60)
# Backups (township_office/backup.py): where archives go, how many the nightly run keeps, when.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or DATA_DIR / "backups")
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
BACKUP_HOUR = env_int("BACKUP_HOUR", 2)
BACKUP_MINUTE = env_int("BACKUP_MINUTE", 30)
# The audit chain's head, written here once a day and at every backup and restore: outside the database.
AUDIT_ANCHOR_LOG = Path(os.environ.get("AUDIT_ANCHOR_LOG") or DATA_DIR / "audit-anchors.log")
# /healthz fails when DATA_DIR has less free space than this (MB).
HEALTH_MIN_FREE_MB = env_int("HEALTH_MIN_FREE_MB", 1024)
DAILY_REPORT_HOUR = env_int("DAILY_REPORT_HOUR", 7)
DAILY_REPORT_MINUTE = env_int("DAILY_REPORT_MINUTE", 30)
# Without a broker (no beat), the first request after the report time makes the morning PDFs in-process.
DAILY_REPORT_IN_PROCESS = env_bool("DAILY_REPORT_IN_PROCESS", not CELERY_BROKER_URL)
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 3)
# The longest 正文 a composed 公文 (发文) may have, in characters (whitespace not counted).
DOCUMENT_BODY_MAX_CHARS = env_int("DOCUMENT_BODY_MAX_CHARS", 30000)
# Beat also relays the outbox in-process every outbox.RELAY_SECONDS (township_office/beat.py).
CELERY_BEAT_SCHEDULER = "township_office.beat:Scheduler"
# Each app adds its periodic tasks here; the names are Celery task names.
CELERY_BEAT_SCHEDULE = {
    "documents-send-reminders": {
        "task": "documents.tasks.send_reminders",
        "schedule": crontab(minute=0, hour="8,14"),
    },
    "visitors-send-reminders": {
        "task": "visitors.tasks.send_reminders",
        "schedule": crontab(minute=10, hour="8,14"),
    },
    "visitors-daily-report": {
        "task": "visitors.tasks.send_daily_report",
        "schedule": crontab(minute=DAILY_REPORT_MINUTE, hour=DAILY_REPORT_HOUR),
    },
    "documents-chase-secret-returns": {
        "task": "documents.tasks.chase_secret_returns",
        "schedule": crontab(minute=30, hour="8,14"),
    },
    "seals-chase-overdue-returns": {
        "task": "seals.tasks.chase_overdue_returns",
        "schedule": crontab(minute=20, hour="8,14"),
    },
    "supervision-refresh-lights": {  # before the daily report: its 督办 section reads the morning's lights
        "task": "supervision.tasks.refresh_lights",
        "schedule": crontab(minute=0, hour=6),
    },
    "nightly-backup": {
        "task": "township_office.tasks.nightly_backup",
        "schedule": crontab(minute=BACKUP_MINUTE, hour=BACKUP_HOUR),
    },
    "audit-anchor": {
        "task": "township_office.tasks.anchor_audit_log",
        "schedule": crontab(minute=5, hour=0),
    },
    "heartbeat": {
        "task": "township_office.tasks.heartbeat",
        "schedule": float(BEAT_HEARTBEAT_SECONDS),
    },
    "outbox-relay": {  # with the relay in beat itself (beat.py): a task queued during an outage goes within 30 s
        "task": "township_office.tasks.relay_outbox",
        "schedule": 10.0,
    },
}

# --- Domain rules that an office may tune ----------------------------------
# Contracts above this amount (yuan) always reach the principal leader.
SEAL_CONTRACT_PRINCIPAL_AMOUNT = env_int("SEAL_CONTRACT_PRINCIPAL_AMOUNT", 100000)
# Per-person cost standard for a working meal (yuan).
RECEPTION_MEAL_STANDARD = env_int("RECEPTION_MEAL_STANDARD", 60)

# --- Logging ---------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Tasks run in-process on an office PC: their per-task success lines are noise there.
        "celery.app.trace": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
