"""Django settings for Xietong.

Configuration comes from the environment so that one code base serves the zero-set-up
demo (a SQLite file under ``var/``) and production (PostgreSQL through ``DATABASE_URL``).
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XIETONG_VAR_DIR", BASE_DIR / "var"))
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    # A parallel test worker keeps its own keys, media and caches beside its own database.
    VAR_DIR = VAR_DIR / _worker
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use XIETONG_SECRET_KEY, else a key generated once and kept in var/."""
    if key := os.environ.get("XIETONG_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("XIETONG_DEBUG", "") == "1"
# A production deployment: keys must be provided (never made on the fly).
PRODUCTION = os.environ.get("XIETONG_PRODUCTION", "") == "1"
# Served over HTTPS (behind a TLS proxy that sets X-Forwarded-Proto): HSTS, Secure cookies
# and the redirect to https all follow from this one setting.
XIETONG_HTTPS = os.environ.get("XIETONG_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = XIETONG_HTTPS
SECURE_SSL_REDIRECT = XIETONG_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if XIETONG_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = XIETONG_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if XIETONG_HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
ALLOWED_HOSTS = os.environ.get("XIETONG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves /api/docs with its own Swagger UI files, never from a CDN
    "xietong.core",
    "xietong.workbench",
    "xietong.regions",
    "xietong.institutions",
    "xietong.accounts",
    "xietong.jobs",
    "xietong.attachments",
    "xietong.exchanges",
    "xietong.partnerships",
    "xietong.plan",
    "xietong.plan.indicators",
    "xietong.plan.reports",
    "xietong.dashboard",
    "xietong.transfer",
    "xietong.resources",
    "xietong.training",
    "xietong.notifications",
    "xietong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xietong.core.security_headers.SecurityHeadersMiddleware",
    # Outermost but for the above: it answers in JSON what Django refuses before a view runs.
    "xietong.core.api_errors.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xietong.core.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xietong.accounts.middleware.ActorMiddleware",
    "xietong.accounts.middleware.SecondFactorMiddleware",
    "xietong.accounts.middleware.PasswordChangeRequiredMiddleware",
    "xietong.core.text_safety.BadCharactersMiddleware",
]

ROOT_URLCONF = "xietong.urls"
WSGI_APPLICATION = "xietong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xietong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xietong.workbench.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xietong.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers up front: no "database is locked" upgrades
    # half-way through a service, and the audit chain head is read under the write lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The test database is a file next to the database (test_<name>), not the shared-cache
    # in-memory one: a live server thread and the test thread then open connections of
    # their own, in WAL mode and with the busy timeout above, instead of the shared
    # cache's table locks ("database table is locked", which no timeout waits out).
    _name = Path(DATABASES["default"]["NAME"] or VAR_DIR / "xietong.sqlite3")
    if str(_name) != ":memory:":
        DATABASES["default"]["TEST"] = {"NAME": str(_name.with_name(f"test_{_name.name}"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xietong.accounts.passwords.CharacterClassValidator"},
]

# Lockout and idle timeout (DESIGN.md "Access").
XIETONG_MAX_FAILED_LOGINS = 5
XIETONG_LOCKOUT_MINUTES = 15
# Keys outside the database (xietong.core.keys): a folder of key files, or XIETONG_KEY_<NAME>.
XIETONG_KEY_DIR = Path(os.environ.get("XIETONG_KEY_DIR", VAR_DIR / "keys"))
XIETONG_CREATE_KEYS = not PRODUCTION


def _whole(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text  # anything else: named at start-up


# Staff ID numbers and phones are sealed under this version of the personal-data key
# (key personal_<N>: XIETONG_KEY_PERSONAL_<N> or personal_<N>.key); older versions stay
# readable while `xietong rotate_personal_data_key` re-seals them (docs/decisions/0002).
XIETONG_PERSONAL_KEY_VERSION = _whole(os.environ.get("XIETONG_PERSONAL_KEY_VERSION", "1"))
# The audit chain's head, written outside the database after each commit (`audit verify`
# checks the chain against it); in production a path on another volume or a WORM store.
XIETONG_AUDIT_ANCHOR = Path(os.environ.get("XIETONG_AUDIT_ANCHOR", VAR_DIR / "audit-anchor.json"))
XIETONG_AUDIT_RETENTION_DAYS = 180  # nothing younger can be purged (等保 2.0: ≥ 6 months)
# The second factor (TOTP) for administrative and authority roles, and re-authentication
# before sensitive operations: on unless turned off (`make demo` turns the first off).
XIETONG_REQUIRE_2FA = os.environ.get("XIETONG_REQUIRE_2FA", "1") == "1"
XIETONG_REQUIRE_REAUTH = os.environ.get("XIETONG_REQUIRE_REAUTH", "1") == "1"
XIETONG_REAUTH_MINUTES = 10
XIETONG_MAX_SESSIONS = int(os.environ.get("XIETONG_MAX_SESSIONS", "3"))  # per account
XIETONG_PASSWORD_HISTORY = 5  # a new password may not repeat the last five
# Passwords expire after this many days (0: never); the user then chooses a new one.
XIETONG_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("XIETONG_PASSWORD_MAX_AGE_DAYS", "90"))
XIETONG_TOKEN_MAX_DAYS = 365  # every API token expires, after a year at the most
# ID numbers registered outside the actor's scope, tried within a day, before entering ID
# numbers pauses for the actor and the security admin is alerted.
XIETONG_DUPLICATE_ID_LIMIT = 5
XIETONG_STAFF_CREATES_PER_HOUR = 200  # one by one (form, API) by one actor; imports are apart
SESSION_COOKIE_AGE = int(os.environ.get("XIETONG_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "xietong" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
WHITENOISE_USE_FINDERS = True  # serve straight from the finders: no collectstatic for the demo
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded files (attachments): the filesystem under var/media by default; an S3-compatible
# object store when XIETONG_S3_BUCKET is set (needs the optional `s3` extra, django-storages).
# Files are never served from MEDIA_URL: every download goes through a scoped, audited view.
MEDIA_ROOT = Path(os.environ.get("XIETONG_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"


def _default_storage() -> dict[str, object]:
    bucket = os.environ.get("XIETONG_S3_BUCKET", "")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT, "directory_permissions_mode": 0o750},
        }
    import importlib.util

    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "XIETONG_S3_BUCKET is set but django-storages is not installed: "
            "pip install 'xietong[s3]'"
        )
    env = os.environ.get
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("XIETONG_S3_ENDPOINT_URL") or None,
            "region_name": env("XIETONG_S3_REGION") or None,
            "access_key": env("XIETONG_S3_ACCESS_KEY_ID") or None,
            "secret_key": env("XIETONG_S3_SECRET_ACCESS_KEY") or None,
            "location": env("XIETONG_S3_PREFIX", ""),
            "addressing_style": env("XIETONG_S3_ADDRESSING_STYLE") or None,
            "default_acl": None,  # objects stay private: downloads go through Xietong
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": _default_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
XIETONG_ATTACHMENT_MAX_BYTES = int(os.environ.get("XIETONG_ATTACHMENT_MAX_MB", "20")) * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XIETONG_LOG_LEVEL", "WARNING")},
}

# Background jobs (matching runs, imports, reports): the Django Tasks API on the database,
# so workers (`xietong db_worker`) scale out across machines sharing it.
# XIETONG_TASKS=immediate runs each task inline, for a single process without a worker.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("XIETONG_TASKS") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# A running job beats at most every XIETONG_JOBS_BEAT_SECONDS; one silent for longer than
# XIETONG_JOBS_HEARTBEAT_LAPSE lost its worker and is marked failed (it can be retried).
XIETONG_JOBS_BEAT_SECONDS = float(os.environ.get("XIETONG_JOBS_BEAT_SECONDS", "2"))
XIETONG_JOBS_HEARTBEAT_LAPSE = int(os.environ.get("XIETONG_JOBS_HEARTBEAT_LAPSE", "60"))

XIETONG_PAGE_SIZES = (20, 50, 100)
# Progress reports on plan tasks: due this many days after their period ends; reminders
# go out this many days before; a period may end this many days after its plan does.
XIETONG_REPORT_DUE_DAYS = 15
XIETONG_REPORT_REMIND_DAYS = 7
XIETONG_REPORT_GRACE_DAYS = 92
# Exports (xietong.jobs.exports): up to this many rows the file is written at once and
# downloaded; more become a background job with a result file. The audit log is exported
# at most XIETONG_AUDIT_EXPORT_MAX_DAYS days at a time.
XIETONG_EXPORT_SYNC_ROWS = int(os.environ.get("XIETONG_EXPORT_SYNC_ROWS", "5000"))
XIETONG_AUDIT_EXPORT_MAX_DAYS = int(os.environ.get("XIETONG_AUDIT_EXPORT_MAX_DAYS", "366"))
# School terms (xietong.core.terms): (month, day) where each term starts and ends; term 1
# starts in the school year's first calendar year, the rest fall in the second.
XIETONG_TERM_CALENDAR = {
    "first_starts": (9, 1),
    "first_ends": (1, 20),
    "second_starts": (2, 20),
    "second_ends": (7, 10),
}
XIETONG_DEMO_PASSWORD = "Xietong-Demo-2025"
# Teachers' training records (xietong.training.record): a cycle of continuing education
# asks XIETONG_TRAINING_CYCLE_HOURS hours in XIETONG_TRAINING_CYCLE_YEARS calendar years;
# cycles run on from XIETONG_TRAINING_CYCLE_FIRST_YEAR (2021–2025, 2026–2030, …). Each use
# of a shared resource in a lesson counts as XIETONG_TRAINING_LESSON_HOURS hours of
# school-based training, at most XIETONG_TRAINING_LESSON_TERM_CAP hours a school term.
XIETONG_TRAINING_CYCLE_HOURS = int(os.environ.get("XIETONG_TRAINING_CYCLE_HOURS", "360"))
XIETONG_TRAINING_CYCLE_YEARS = int(os.environ.get("XIETONG_TRAINING_CYCLE_YEARS", "5"))
XIETONG_TRAINING_CYCLE_FIRST_YEAR = int(os.environ.get("XIETONG_TRAINING_CYCLE_FIRST_YEAR", "2021"))
XIETONG_TRAINING_LESSON_HOURS = 1  # a number; 0.5 too
XIETONG_TRAINING_LESSON_TERM_CAP = 12
# The public verification of training certificates (page, form and API together) answers
# one address this many times a minute (xietong.core.ratelimit); 0 turns the limit off.
XIETONG_VERIFY_PER_MINUTE = int(os.environ.get("XIETONG_VERIFY_PER_MINUTE", "30"))

# The public notice (公示) of a recommendation lasts at least this many working days
# (xietong.core.workdays: Monday to Friday, less XIETONG_HOLIDAYS, plus XIETONG_WORKDAYS —
# the weekend days worked instead, 调休). Both lists are ISO dates, comma-separated.
XIETONG_NOTICE_MIN_WORKING_DAYS = int(os.environ.get("XIETONG_NOTICE_MIN_WORKING_DAYS", "5"))


def _iso_dates(name: str) -> tuple[datetime.date, ...]:
    try:
        return tuple(
            datetime.date.fromisoformat(d.strip())
            for d in os.environ.get(name, "").split(",")
            if d.strip()
        )
    except ValueError as e:
        raise ImproperlyConfigured(f"{name}: ISO dates (2026-10-01,…) expected: {e}") from None


XIETONG_HOLIDAYS = _iso_dates("XIETONG_HOLIDAYS")
XIETONG_WORKDAYS = _iso_dates("XIETONG_WORKDAYS")
