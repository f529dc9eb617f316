"""Settings for the MPS Portal, configured from the environment.

Every variable read here is documented in README.md (a test checks it). The defaults
suit a developer's machine; ``DJANGO_ENV=production`` switches on the production block,
which refuses to start without a real ``SECRET_KEY``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env("SECRET_KEY")
if PRODUCTION:
    if not SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value when DJANGO_ENV=production."
        )
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")
elif not SECRET_KEY:
    # Development only: production refuses any key with this prefix.
    SECRET_KEY = "django-insecure-development-only-key-not-for-production-use"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The admin's address, e.g. "staff-7f3a/": moving it off /admin/ keeps it out of
# scanners' default list (throttling and the second factor are the real defence).
ADMIN_PATH = env("ADMIN_PATH", "admin/").strip("/") + "/"

INSTALLED_APPS = [
    # Django's admin with the portal's site (second factor for staff).
    "mps_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Full-text search types on PostgreSQL; unused on SQLite (councils/search.py).
    "django.contrib.postgres",
    "django_filters",
    "import_export",
    "reversion",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "councils",
    "tenders",
    "providers",
    "quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mps_portal.headers.DefaultCacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "mps_portal.limits.RateLimitMiddleware",
    # After the rate limits (their process_view runs first, so a cached page still
    # counts) and inside the CSP middleware (which gives a cached page its nonce).
    "mps_portal.pagecache.PageCacheMiddleware",
    # After the page cache (a 304 is answered before any file is opened).
    "mps_portal.downloads.CompleteDownloadMiddleware",
    "mps_portal.faults.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mps_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mps_portal.context_processors.portal",
            ],
            "builtins": ["django.templatetags.static"],
        },
    },
]

WSGI_APPLICATION = "mps_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=600 if PRODUCTION else 0,
        conn_health_checks=PRODUCTION,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded set-up runs the task worker beside the web server (scripts/run):
    # two processes writing one file. Each transaction takes the write lock when
    # it begins (IMMEDIATE), so one that read first and writes later waits for
    # the other instead of failing at once with "database is locked" (SQLite
    # cannot wait when a deferred transaction's read lock must become a write
    # lock); the write-ahead log lets pages be read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache: rate limits are counted here, so they hold across gunicorn
# workers and instances, and anonymous visitors' pages are kept here (see
# mps_portal/pagecache.py). Production refuses to start without it. REDIS_URL is
# the old name, still read when CACHE_URL is not set.
CACHE_URL = env("CACHE_URL") or env("REDIS_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "CACHE_URL must be a Redis address (redis://, rediss:// or unix://)."
        )
    CACHES = {
        "default": {
            # Django's Redis backend, with one client per pool (mps_portal/cache.py).
            "BACKEND": "mps_portal.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "mps",
        }
    }
elif PRODUCTION:
    raise ImproperlyConfigured(
        "CACHE_URL must be set when DJANGO_ENV=production: rate limits are counted "
        "and pages are cached in the shared cache."
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        # One process's memory is not shared: the content version, which every
        # write to public content replaces, is kept where a command run beside
        # the server (an import, say) replaces it for the server too.
        "content-version": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env(
                "CONTENT_VERSION_DIR", str(BASE_DIR / "var" / "content-version")
            ),
        },
    }

# Anonymous visitors' pages are served from the cache for at most this many
# seconds; any change to public content, and any scheduled publication falling
# due, makes them stale at once. 0 turns the page cache and the feeds' and
# downloads' validators (ETag, Last-Modified) off.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "3600"))
# Apps whose tables hold what public pages show: any write to them makes every
# cached page and download validator stale (councils/pagecache.py).
PUBLIC_CONTENT_APPS = ["councils", "tenders", "providers", "quality"]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username or address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The complete file of each unfiltered download (councils/download_files.py):
    # a folder every instance shares (a volume), or an object store's backend here.
    "downloads": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("DOWNLOADS_ROOT", str(BASE_DIR / "downloads"))},
    },
    "staticfiles": {
        "BACKEND": (
            "mps_portal.storage.StaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production, serve static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

LOGIN_URL = "admin:login"

# Staff sessions end after this many minutes without a request (the cookie's age is
# renewed on every request a signed-in user makes; visitors have no session).
SESSION_IDLE_TIMEOUT_MINUTES = int(env("SESSION_IDLE_TIMEOUT_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

# Proxies in front of the portal that append to X-Forwarded-For (0: none, the client
# is REMOTE_ADDR). Login throttling and rate limits both read the client's address
# through mps_portal.limits.client_ip, which trusts only that many hops.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# Login throttling (django-axes). Its defaults lock by address only, after 3 failures,
# forever, with REMOTE_ADDR behind a proxy: every one is set here. A username and an
# address are each locked after LOGIN_FAILURE_LIMIT failures within
# LOGIN_LOCKOUT_MINUTES; the lock lifts by itself that long after it began.
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_LOCKOUT_MINUTES", "5")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Failures during a lockout do not prolong it: otherwise anyone could keep a
# commissioner locked out for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "mps_portal.limits.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Second factor (django-otp): TOTP apps plus single-use recovery codes. Required for
# portal administrators (superusers); commissioners may turn it on, and once they
# have, the admin asks for it every time.
OTP_TOTP_ISSUER = "North East MPS Portal"

# Rate limits per client address, counted in the shared cache: requests allowed per
# window for each group of URL names (see mps_portal/limits.py).
# Feeds and downloads: rate-limited as a group, and answering conditional GETs
# (ETag and Last-Modified from the content version, 304 when unchanged).
DOWNLOAD_URLS = [
    "tenders:tender-list-csv",
    "tenders:tender-list-json",
    "tenders:tender-list-ocds",
    "tenders:tender-feed",
    "tenders:arrangement-list-csv",
    "tenders:arrangement-list-json",
    "providers:service-list-csv",
    "providers:service-list-json",
    "tenders:rate-list-csv",
    "tenders:rate-list-json",
    "councils:intention-list-csv",
    "councils:intention-list-json",
    "councils:indicator-figures-csv",
    "councils:indicator-figures-json",
    "councils:change-feed",
    "councils:council-change-feed",
    "quality:figures-csv",
    "quality:figures-json",
]
# Downloads whose unfiltered form is also kept as a complete file, rebuilt in the
# background when the content changes, and served from it while it is current.
DOWNLOAD_FILES = env_bool("DOWNLOAD_FILES", True)
COMPLETE_DOWNLOADS = [
    "tenders:tender-list-csv",
    "tenders:tender-list-json",
    "tenders:tender-list-ocds",
    "tenders:arrangement-list-csv",
    "tenders:arrangement-list-json",
    "providers:service-list-csv",
    "providers:service-list-json",
    "tenders:rate-list-csv",
    "tenders:rate-list-json",
    "councils:intention-list-csv",
    "councils:intention-list-json",
    "councils:indicator-figures-csv",
    "councils:indicator-figures-json",
    "quality:figures-csv",
    "quality:figures-json",
]
RATE_LIMIT_WINDOW_SECONDS = int(env("RATE_LIMIT_WINDOW_SECONDS", "60"))
RATE_LIMITS = {
    "search": {
        "limit": int(env("RATE_LIMIT_SEARCH", "120")),
        "urls": [
            "councils:search",
            "tenders:tender-list",
            "tenders:arrangement-list",
            "providers:service-list",
            "councils:market-detail",
            "councils:indicator-list",
            "councils:indicator-detail",
            "councils:change-list",
        ],
    },
    "downloads": {
        "limit": int(env("RATE_LIMIT_DOWNLOADS", "30")),
        "urls": DOWNLOAD_URLS,
    },
    # Email alert pages that send mail or take a link from one.
    "subscription": {
        "limit": int(env("RATE_LIMIT_SUBSCRIPTION", "10")),
        "urls": [
            "alerts:subscribe",
            "alerts:confirm",
            "alerts:manage-request",
            "alerts:manage",
            "alerts:unsubscribe",
        ],
        "methods": ["POST"],
    },
    # On top of the per-username lockout: bounds how fast one address may try.
    "login": {
        "limit": int(env("RATE_LIMIT_LOGIN", "20")),
        "urls": ["admin:login"],
        "methods": ["POST"],
    },
}

# Request bodies: the admin's forms and uploads (a 5 MB tender table, a logo) fit
# well inside these; anything larger is refused as it arrives.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
REQUEST_BODY_MAX_BYTES = int(env("REQUEST_BODY_MAX_BYTES", str(6 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "mps_portal.uploads.BodySizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Security headers, on in every environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Django's own loggers print through the root's handler only: its default
    # "django" logger has a console handler of its own in development, which
    # printed every line (a task worker's, a warning about a request) twice.
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
}

# Mail (Django's MAILERS): SMTP from the environment; printed to the console when
# EMAIL_HOST is unset, so development needs no mail server.
# Production always sends by SMTP (a local relay on localhost unless EMAIL_HOST says).
_EMAIL_HOST = env("EMAIL_HOST", "localhost" if PRODUCTION else "")
_EMAIL_PORT = int(env("EMAIL_PORT", "587"))
MAILERS = {
    "default": {
        "BACKEND": env(
            "EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if _EMAIL_HOST
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": {
            "host": _EMAIL_HOST,
            "port": _EMAIL_PORT,
            "username": env("EMAIL_HOST_USER"),
            "password": env("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", _EMAIL_PORT == 587),
            "use_ssl": env_bool("EMAIL_USE_SSL", _EMAIL_PORT == 465),
            "timeout": 30,
        }
        if _EMAIL_HOST
        else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "MPS Portal <alerts@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in emails point (mail is sent outside any request).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background work (Django's tasks framework): stored in the database by default,
# run by `manage.py db_worker`. TASKS_BACKEND swaps in another backend's class.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Email alerts: confirmation and manage-link emails one address may be sent per hour.
ALERTS_EMAILS_PER_ADDRESS_PER_HOUR = int(env("ALERTS_EMAILS_PER_ADDRESS_PER_HOUR", "3"))

# Portal-specific settings.
FEEDBACK_EMAIL = env("FEEDBACK_EMAIL", "mps-portal@example.org")
# CQC and quality figures older than this many days are marked "may be out of date".
QUALITY_FIGURE_MAX_AGE_DAYS = int(env("QUALITY_FIGURE_MAX_AGE_DAYS", "365"))

# The audit trail (councils.AuditEntry and the admin's LogEntry) is kept this long;
# manage.py prune_audit_log deletes older entries. Six years by default.
AUDIT_RETENTION_DAYS = int(env("AUDIT_RETENTION_DAYS", "2190"))

# django-import-export lets every staff user import and export unless these are set:
# tender tables need tenders.import_tender / tenders.export_tender.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

# Open Contracting ID prefix for the OCDS download, issued by the Open Contracting
# Partnership. The default is the example prefix from the OCDS documentation.
OCDS_OCID_PREFIX = env("OCDS_OCID_PREFIX", "ocds-213czf")
