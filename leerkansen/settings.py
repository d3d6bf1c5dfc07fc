"""One settings module, read from the environment with local defaults.

Local development needs no configuration: SQLite under var/, a generated secret key, debug on.
Production sets DJANGO_DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and usually DATABASE_URL.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from leerkansen.scoring.anonymity import MIN_THRESHOLD

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEERKANSEN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Local use only: one random key per checkout, kept out of version control.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    # Django 6's task framework, backported (django-tasks), with its database backend:
    # the embedded default needs no other server; `manage.py db_worker` runs the tasks.
    "django_tasks",
    "django_tasks_db",
    "leerkansen.jobs",
    "leerkansen.catalogue",
    "leerkansen.organisations",
    "leerkansen.survey",
    "leerkansen.modelversions",
    "leerkansen.benchmarks",
    "leerkansen.reports",
    "leerkansen.research",
    "leerkansen.plans",
    "leerkansen.paper",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy on every response, 503 during a database outage (lib/middleware.py).
    "leerkansen.lib.middleware.SiteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Dutch everywhere; the respondent's language on the questionnaire's pages only
    # (survey/language.py), in place of Django's LocaleMiddleware.
    "leerkansen.survey.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Pauses an account under attack and an address that tries many accounts (throttle.py).
    "leerkansen.organisations.throttle.LoginThrottleBackend",
    # ModelBackend, reading the logged-in person with a query compiled once (backends.py).
    "leerkansen.organisations.backends.AccountBackend",
]
# Argon2id first (memory-hard: 100 MiB per hash makes a GPU attack costly, and it takes less CPU
# per login than PBKDF2's 1,000,000 rounds); a PBKDF2 hash is re-hashed at its next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "organisations:login"
LOGIN_REDIRECT_URL = "organisations:dashboard"
LOGOUT_REDIRECT_URL = "catalogue:home"

ROOT_URLCONF = "leerkansen.urls"
WSGI_APPLICATION = "leerkansen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "leerkansen" / "templates"],
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


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        # Behind pgbouncer in transaction mode a server-side cursor (QuerySet.iterator) may
        # not outlive its transaction: PGBOUNCER_TRANSACTION_MODE=1 turns them off.
        if env_bool("PGBOUNCER_TRANSACTION_MODE", False):
            database["DISABLE_SERVER_SIDE_CURSORS"] = True
        return database
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "leerkansen.sqlite3",
        # Keep connections: opening one and setting WAL costs more than most requests.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # WAL lets readers continue while one request writes; the busy timeout and
            # immediate transactions make concurrent writers wait instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 10,
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
# Respondents answer in Dutch, French or English (survey/language.py); every other page is
# Dutch. English needs no catalogue: the msgids are English.
LANGUAGES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "leerkansen" / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "leerkansen" / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
if DEBUG:
    # WhiteNoise serves from the finders locally but expects its root to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "leerkansen.lib.staticfiles.StaticFilesStorage"
        )
    },
}

# Behind our TLS proxy, the client's address is the right-most X-Forwarded-For entry
# (leerkansen.lib.clients); without it, REMOTE_ADDR.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)

# Throttle counters (login failures, bad links, mails sent) must be shared by every worker:
# the database cache, whose table a migration of organisations creates. Many entries, so
# that an attacker cannot push counters out by filling the cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": os.environ.get("CACHE_TABLE", "leerkansen_cache"),
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    },
    # {% cache %} fragments of the catalogue: the same for everyone, cheap to rebuild, so
    # per process, without a query per fragment.
    "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

# Lock one account for one client address out after 5 failed logins, for an hour: another
# address (the real owner) is not affected. An account failing from many addresses and an
# address failing for many accounts are paused by organisations.throttle.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "leerkansen.lib.clients.client_address"
AXES_RESET_ON_SUCCESS = True
# A refused attempt checks no password, so it neither counts nor extends a lock-out.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A Dutch page with HTTP 429 instead of axes' English text.
AXES_LOCKOUT_CALLABLE = "leerkansen.organisations.views.locked_out"
# No "AXES: BEGIN version ..." at the start of every command's output. (Its log lines mask the
# username and address: AXES_SENSITIVE_PARAMETERS.)
AXES_VERBOSE = False

# Staff (Django admin) must pass a second factor in production; so must researchers before a
# per-respondent export (research/views_second_factor.py).
ADMIN_REQUIRES_OTP = env_bool("ADMIN_REQUIRES_OTP", not DEBUG)
# The name an authenticator app shows next to the account (TOTP devices).
OTP_TOTP_ISSUER = "Leerkansen"

# Group results are shown from this many responses; never below the anonymity rule's floor,
# MIN_THRESHOLD (checked at start-up).
ANONYMITY_THRESHOLD = int(os.environ.get("ANONYMITY_THRESHOLD", "5"))
# Free-text answers are shown from this many responses in a round.
FREE_TEXT_THRESHOLD = int(os.environ.get("FREE_TEXT_THRESHOLD", "8"))
if ANONYMITY_THRESHOLD < MIN_THRESHOLD:
    raise ImproperlyConfigured(f"ANONYMITY_THRESHOLD may not be below {MIN_THRESHOLD}.")

# Personal invitation links expire; so do admin invitations.
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "30"))

# Background tasks (issue 16): stored in the database, run by `manage.py db_worker` (make run
# starts one next to the web server). TASKS_IMMEDIATE=1 runs them in the request instead.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend",
        # "jobs": what a person waits for (exports, data downloads, estimation); "default":
        # mails and report PDFs. A worker for "jobs" alone keeps a PDF backlog from holding
        # a download (README, production layout).
        "QUEUES": ["default", "jobs"],
    }
}

# A job's file (an export, a data download) is kept this many hours for the person who asked
# (jobs/services.py); a running job whose worker wrote no progress for JOB_LOST_AFTER seconds
# (a worker killed mid-job) is started again.
JOB_KEEP_HOURS = int(os.environ.get("JOB_KEEP_HOURS", "24"))
JOB_LOST_AFTER = int(os.environ.get("JOB_LOST_AFTER", "120"))

# A report's PDF is rendered by a task as soon as the report is published (reports/tasks.py);
# off, it is rendered on its first download. Tests turn it off (the root conftest) except
# where they test it: with tasks run in-process it would render inside every publication.
REPORT_PDF_AHEAD = env_bool("REPORT_PDF_AHEAD", True)
# ... and only once the report stayed unchanged this many seconds: a round that publishes a
# step every few minutes renders its PDF once it is quiet, not at every step (a PDF costs
# 2 s of CPU; rendering at every publication took more CPU than the pages in the load test).
REPORT_PDF_DELAY = int(os.environ.get("REPORT_PDF_DELAY", "300"))
# The paper questionnaires' PDFs of a round are asked for when its paper page is opened
# (paper/tasks.py); tests turn it off (the root conftest): with tasks run in-process every
# paper page would render four PDFs.
PAPER_PDF_AHEAD = env_bool("PAPER_PDF_AHEAD", True)

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else CONSOLE_EMAIL_BACKEND,
)
# The console backend prints every mail, with its invitation or password-reset link, to the
# process's output, which ends up in logs: fine locally, never in production.
if not DEBUG and EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set when DJANGO_DEBUG is off: without it, mail goes to the console "
        "backend, which prints invitation and password-reset links to the log. Set EMAIL_HOST "
        "(with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD), or EMAIL_BACKEND to another "
        "backend than the console."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Leerkansen <noreply@leerkansen.be>")

# A strict Content Security Policy: our own files only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with a query compiled once per process (lib/sessions.py).
SESSION_ENGINE = "leerkansen.lib.sessions"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every line goes through one handler that masks the tokens of survey, resume, invitation,
# confirmation and reset links (leerkansen.lib.logging); Django's own loggers (django.request
# logs the path of every 4xx, django.server every request) pass their lines on to it instead
# of writing them themselves. A handler added here needs the "mask_tokens" filter too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "leerkansen.lib.logging.MaskTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # WeasyPrint reports every step and every CSS property it skips; only errors matter.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
