"""Settings for Bangfu, read from the environment.

A laptop needs nothing set: ``DEBUG=1`` gives an SQLite file under ``data/`` and Celery
tasks run in-process. With ``DEBUG`` off (the default) the essentials must be given, or the
process refuses to start: ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and
``CELERY_BROKER_URL``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "data"

env = environ.Env()
DEBUG = env.bool("DEBUG", default=False)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value and not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return value


SECRET_KEY = _required("SECRET_KEY") or "dev-only-secret-key-never-used-with-debug-off"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "bootstrap",
    "township",
    "households",
    "assistance",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "township.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "township.middleware.SessionRefreshMiddleware",
    "township.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "township.scoping.ScopingMiddleware",
    "township.middleware.PasswordChangeRequiredMiddleware",
    # Axes last, as its documentation asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "township.urls"
WSGI_APPLICATION = "township.wsgi.application"

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
                "township.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'bangfu.sqlite3'}")
}
if not DEBUG and not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG is off.")
# A new connection per request costs about 25 ms on PostgreSQL: keep them a while.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the plan of every larger query anew: for this workload's short
    # queries that costs far more than it saves (912 ms of a 1,023 ms county page, measured).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has the web process and a worker writing one file: WAL lets pages read while
    # the worker records progress, and IMMEDIATE transactions wait for the write lock (up to
    # the timeout) instead of failing with "database is locked" halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "township.backends.ProfileModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (township/throttling.py): after AXES_FAILURE_LIMIT failures a username is
# locked from that address only, never for everyone; the lockout lasts
# BANGFU_LOGIN_COOLOFF_MINUTES, doubled for each further lockout within a day.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
BANGFU_LOGIN_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = "township.throttling.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Lockouts are kept (not only the current failures), so that the next one can last longer.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client's address: REMOTE_ADDR, unless the app is reached through reverse proxies that
# append to X-Forwarded-For: then say how many (1 for one nginx in front). Never set it
# higher than the proxies really in front, or clients could choose their own address.
AXES_CLIENT_IP_CALLABLE = "township.throttling.client_ip"
BANGFU_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
BANGFU_FORWARDED_FOR_HEADER = "HTTP_X_FORWARDED_FOR"

# Idle timeout: the session lives SESSION_IDLE_MINUTES after the last request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# The expiry moves on at most once a minute (township.middleware.SessionRefreshMiddleware),
# not with a session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
BANGFU_SESSION_REFRESH_SECONDS = 60
# Sessions are read from the cache (no query per page), with the figures' version in the same
# round trip (township/sessions.py), and written through to the database.
SESSION_ENGINE = "township.sessions"

# The cache holds the dashboards' figures (reporting.figures): Redis in production
# (CACHE_URL=redis://...), shared by every web process; memory of the process otherwise.
_cache_url = env.str("CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "township.caches.RedisCache", "LOCATION": _cache_url}
        if _cache_url.startswith(("redis://", "rediss://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Parts of pages that are the same for many users (the navigation bar for a role and
    # language), kept drawn in each process's memory: nothing in them ever goes stale.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # The figures each process has read from "default", under the same keys
    # (township/figures_cache.py): a key names the version of the data, so they never go
    # stale; each is kept no longer than "default" keeps it.
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": 256},
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=DATA_DIR / "media")
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery. Without a broker URL tasks run in-process, so nothing is to install. `make run`
# sets `filesystem://`: kombu's file-system transport, a queue of files under data/broker/
# that the web process and the worker it starts share (see bin/run).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if not CELERY_BROKER_URL:
    if not DEBUG:
        raise ImproperlyConfigured("CELERY_BROKER_URL must be set when DEBUG is off.")
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
elif CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = Path(env.str("BANGFU_BROKER_DIR", default=str(DATA_DIR / "broker")))
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    _FILESYSTEM_BROKER = {
        # One folder both ways: what the web process writes, the worker reads.
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The longest a task may run: the hard time limit of report builds and of roster imports
# (the worker kills a task past it). Reports say BANGFU_REPORT_STALE_MINUTES (30).
BANGFU_REPORT_STALE_MINUTES = env.int("BANGFU_REPORT_STALE_MINUTES", default=30)
BANGFU_IMPORT_TIME_LIMIT_MINUTES = env.int("BANGFU_IMPORT_TIME_LIMIT_MINUTES", default=20)
# A long report's household table is drawn this many rows a section (reporting/pdf.py): a
# section is one WeasyPrint document, held in memory while drawn, and one task for a worker.
BANGFU_REPORT_SECTION_ROWS = env.int("BANGFU_REPORT_SECTION_ROWS", default=400)
_LONGEST_TASK_SECONDS = 60 * max(BANGFU_REPORT_STALE_MINUTES, BANGFU_IMPORT_TIME_LIMIT_MINUTES)
# Redis hands a message that is not acknowledged within the visibility timeout to another
# worker. Tasks are acknowledged late (after they finish), so the timeout must be longer
# than the longest task may run, or a slow but healthy build would be started a second
# time: 30 min limit + 5 min margin = 35 min. (Celery's default, 1 hour, is what let the
# sweeper fail a dead worker's run before the message came back.) A lost worker is not
# left to this timeout: its task's heartbeat stops, and the sweeper hands the work to
# another worker within BANGFU_WORKER_SILENT_SECONDS plus a minute; the message that
# comes back after 35 minutes then finds the work done and does nothing.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _LONGEST_TASK_SECONDS + 5 * 60,
    # A broker that does not answer costs a page at most this long, not a hung request.
    "socket_connect_timeout": 5,
    **(_FILESYSTEM_BROKER if CELERY_BROKER_URL.startswith("filesystem://") else {}),
}
# A page sending a task to a broker that is down tries three times over about a second,
# then keeps the work for the sweeper and says so (township/background.py).
BANGFU_SEND_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# A working task marks its row alive this often; a row silent for BANGFU_WORKER_SILENT_SECONDS
# has lost its worker and is handed to another; after BANGFU_TASK_MAX_LOST lost workers the
# work fails instead (a report that kills its worker every time).
BANGFU_HEARTBEAT_SECONDS = env.int("BANGFU_HEARTBEAT_SECONDS", default=20)
BANGFU_WORKER_SILENT_SECONDS = env.int("BANGFU_WORKER_SILENT_SECONDS", default=120)
BANGFU_TASK_MAX_LOST = env.int("BANGFU_TASK_MAX_LOST", default=3)
# How often beat asks a worker for a heartbeat, and how old one may be before /healthz
# says no worker consumes the queue.
BANGFU_WORKER_HEARTBEAT_SECONDS = env.int("BANGFU_WORKER_HEARTBEAT_SECONDS", default=30)
BANGFU_WORKER_HEARTBEAT_MAX_AGE = env.int("BANGFU_WORKER_HEARTBEAT_MAX_AGE", default=120)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "township.tasks.worker_heartbeat",
        "schedule": timedelta(seconds=BANGFU_WORKER_HEARTBEAT_SECONDS),
        # A heartbeat nobody consumed in time is worthless: drop it rather than pile up.
        "options": {"expires": BANGFU_WORKER_HEARTBEAT_SECONDS},
    },
    "clear-expired-sessions": {
        "task": "township.tasks.sessions_clear_expired",
        "schedule": timedelta(hours=6),
    },
    # Work whose worker was lost or that the broker never got: sent again within minutes.
    "sweep-report-runs": {
        "task": "reporting.tasks.report_runs_sweep",
        "schedule": timedelta(minutes=1),
    },
    "sweep-import-jobs": {
        "task": "households.tasks.import_jobs_sweep",
        "schedule": timedelta(minutes=1),
    },
    "sweep-report-temp-files": {
        "task": "reporting.tasks.report_temp_files_sweep",
        "schedule": timedelta(minutes=30),
    },
    "monitoring-flags": {
        "task": "households.tasks.monitoring_refresh",
        "schedule": crontab(hour=1, minute=30),
    },
    "scheduled-reports": {
        "task": "reporting.tasks.reports_scheduled",
        "schedule": crontab(hour=2, minute=0),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every page it lays out; fontTools every font it subsets.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# How often a pairing cadre must visit each household (the plans say monthly).
BANGFU_VISIT_INTERVAL_DAYS = env.int("BANGFU_VISIT_INTERVAL_DAYS", default=30)
# The reconciliation reports built for every township, as "MM-DD:kind" pairs.
BANGFU_REPORT_SCHEDULE = [
    ((int(day[:2]), int(day[3:5])), kind)
    for day, kind in (
        item.split(":")
        for item in env.list(
            "BANGFU_REPORT_SCHEDULE",
            default=["01-05:year_start", "07-01:mid_year", "12-20:year_end"],
        )
    )
]
# Public notices of identification and exit stay up at least this many days.
BANGFU_NOTICE_DAYS = env.int("BANGFU_NOTICE_DAYS", default=7)
# Roster imports: the largest file and the most rows a sheet may have.
BANGFU_IMPORT_MAX_BYTES = env.int("BANGFU_IMPORT_MAX_MB", default=20) * 1024 * 1024
BANGFU_IMPORT_MAX_ROWS = env.int("BANGFU_IMPORT_MAX_ROWS", default=60000)
# Checked before parsing (a "zip bomb" of 400 KB can unpack to gigabytes): what the workbook
# may unpack to in all, how many parts it may hold, and how tightly a large part may be
# packed (Apache POI refuses beyond 100 to 1 too). A 60,000-row roster: ~60 MB, ~11 to 1.
BANGFU_IMPORT_MAX_UNPACKED_MB = env.int("BANGFU_IMPORT_MAX_UNPACKED_MB", default=250)
BANGFU_IMPORT_MAX_PARTS = env.int("BANGFU_IMPORT_MAX_PARTS", default=500)
BANGFU_IMPORT_MAX_RATIO = env.int("BANGFU_IMPORT_MAX_RATIO", default=100)
# Visit photos: at most this many a visit, each at most this size.
BANGFU_VISIT_PHOTOS_MAX = env.int("BANGFU_VISIT_PHOTOS_MAX", default=5)
BANGFU_PHOTO_MAX_BYTES = env.int("BANGFU_PHOTO_MAX_MB", default=8) * 1024 * 1024

if DEBUG:
    # Serve static files straight from the apps while developing: no collectstatic needed.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
