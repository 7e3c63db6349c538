"""Yorisoi settings: one module, configured from the environment.

Every environment variable is read through a typed helper that fails loudly on a bad value,
so a typo in production stops the process instead of silently running with a default.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Off unless asked for: a server started without configuration must not show tracebacks.
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-yorisoi-local-development-only-key-do-not-deploy"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "yorisoi",
    "courses",
    "content",
    "roleplay",
    "assessments",
    "privacy",
    # Serves the API docs page with its own Swagger files instead of a CDN.
    "ninja",
    # Background tasks (the AI judge of role-plays): the framework and its database queue.
    "django_tasks",
    "django_tasks_db",
    "wagtail.contrib.settings",
    "wagtail.sites",
    # Wagtail's users app with our Users screens: superusers out of an org admin's reach.
    "yorisoi.apps.UsersAdminConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Login throttling: counts failed sign-ins per user name and per address (see AXES_*).
    "axes",
    # Two-step sign-in: TOTP authenticators and single-use backup codes (yorisoi/two_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, Permissions-Policy and no-store on private pages (headers.py);
    # outermost after security, so that the middleware's own refusals get the headers too.
    "yorisoi.headers.ContentSecurityPolicyMiddleware",
    "yorisoi.headers.ResponseHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware, which refuses hosts outside ALLOWED_HOSTS.
    "yorisoi.sites.SiteMiddleware",
    # After the locale, so that its 400 and 413 pages speak the user's language.
    "yorisoi.middleware.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the session was verified with an authenticator code, then the rule that sends an
    # account owing that code to it before any other page, /admin/ included.
    "django_otp.middleware.OTPMiddleware",
    "yorisoi.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a lockout raised anywhere in the login views into our lockout page.
    "axes.middleware.AxesMiddleware",
]

# Outside debug, static files come from the app processes themselves (WhiteNoise), with hashed
# names and far-future caching, so a deployment needs no separate file server. In debug,
# runserver and the tests' live server serve them from the apps' folders as they are edited.
if not DEBUG:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "yorisoi.urls"
WSGI_APPLICATION = "yorisoi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yorisoi.roles.context_processor",
            ],
        },
    },
]

# A server database keeps its connections for a minute (a new connection per request halved the
# catalogue's throughput under gunicorn); health checks drop one the server has closed.
_DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        conn_max_age=env_int(
            "DATABASE_CONN_MAX_AGE", 0 if _DATABASE_URL.startswith("sqlite") else 60, minimum=0
        ),
        conn_health_checks=True,
    )
}
# PostgreSQL is the production database. SQLite (development, small pilots) locked up under
# concurrent role-play writes: WAL lets readers carry on during a write, IMMEDIATE takes the
# write lock when a transaction starts instead of failing on upgrade, and writers wait for it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The failed-login counters live in a database table (made on every migrate, yorisoi/apps.py) so
# that every worker process sees the same count; a per-process memory cache multiplies the limit.
# With REDIS_URL (production: several app processes) Redis is the shared cache, the session store
# and the throttle's counter; without it one process needs nothing but its database.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "axes": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "axes",
        },
    }
    # Sessions are read from Redis and written through to the database, so a Redis restart
    # signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "axes": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "yorisoi_axes_cache",
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's roles with the user (yorisoi/roles.py).
    "yorisoi.roles.RolesBackend",
]
# Five wrong passwords lock that user name for 15 minutes, and thirty from one address lock
# that address (a classroom shares one address behind its NAT); a correct sign-in before then
# clears the user name's count (yorisoi/login_throttle.py).
AXES_HANDLER = "yorisoi.login_throttle.UserAndAddressCacheHandler"
AXES_CACHE = "axes"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
YORISOI_ADDRESS_FAILURE_LIMIT = env_int("YORISOI_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"


def forwarded_client_address(request):
    """The address the login throttle counts behind our TLS proxy. REMOTE_ADDR is then the proxy
    itself, which would lock everyone out at once; the proxy appends the address it saw to
    X-Forwarded-For, so the last entry is the one a client cannot forge."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR")


LOGIN_URL = "login"
# The name authenticator apps show beside the six-digit code.
OTP_TOTP_ISSUER = "Yorisoi"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# E-mail carries invitations and password resets. Without EMAIL_HOST nothing is sent (in debug
# the console shows the mail) and trainers copy invitation links from the cohort page instead.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@localhost")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
# Ours first; then locale/wagtail, which fills the gaps in Wagtail's own Japanese catalogue
# (about a third of its admin strings) and which `make messages` leaves alone.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "wagtail"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# Outside debug, static files get content-hashed names (run `collectstatic` when deploying) so
# browsers may cache them for a year. Media stay in MEDIA_ROOT (a directory every app process
# shares) unless AWS_STORAGE_BUCKET_NAME names an S3-compatible bucket (`pip install .[s3]`).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    # Uploaded media may show families' homes or handwriting: never public, always signed links.
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True

# The page editor posts one field per StreamField child; long lessons exceed Django's default.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "Yorisoi 寄り添い"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "pptx", "txt", "xlsx"]
WAGTAIL_I18N_ENABLED = False
# Wagtail's own default avatar, never Gravatar: staff e-mail hashes must not leave the site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the admin's dashboard ask Wagtail's site for new releases (the CSP would block it):
# operators follow releases with `make audit` and the changelog.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Everyone works in Japan: the account page offers Japan's time zone, not a list of 600.
WAGTAIL_USER_TIME_ZONES = ["Asia/Tokyo"]

# Secure defaults outside debug; `manage.py check --deploy` must stay silent with DEBUG off.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_CLIENT_IP_CALLABLE = "yorisoi.settings.forwarded_client_address"
# Wagtail lifts this for its own preview frames; nothing else should frame our pages.
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp; yorisoi/headers.py). Our pages run only our own script
# files and style sheets: no inline script or style, nothing from elsewhere but the two video
# players. A nonce cannot cover a style="…" attribute, so instead of allowing 'unsafe-inline'
# for styles the few values a page computes (progress, heat-map shades, outline depth) are
# classes or a <progress> element. Media in a bucket (AWS_STORAGE_BUCKET_NAME) need its origin
# in CSP_MEDIA_ORIGINS, e.g. https://yorisoi-media.s3.ap-northeast-1.amazonaws.com.
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS", [])
_VIDEO_PLAYERS = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *CSP_MEDIA_ORIGINS],
        "media-src": ["'self'", *CSP_MEDIA_ORIGINS],
        "frame-src": _VIDEO_PLAYERS,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The Wagtail admin (and its page previews) still writes inline scripts and style attributes and
# compiles some client templates at run time (doT in core.js), so under /admin/ only scripts and
# styles are relaxed; it may frame itself for previews.
YORISOI_ADMIN_CSP = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_ORIGINS],
    "frame-src": ["'self'", *_VIDEO_PLAYERS],
    "frame-ancestors": ["'self'"],
}
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)

# Learner text is private: nothing here logs request bodies, and errors go to stderr only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

YORISOI_ROSTER_MAX_ROWS = env_int("YORISOI_ROSTER_MAX_ROWS", 2000, minimum=1)
# The organisation that certifies home visitors, as printed on its certificates (認定証).
YORISOI_ORGANISATION_NAME = env_str("YORISOI_ORGANISATION_NAME", "Yorisoi デモ団体")
# Role-play transcripts are kept this many days after a session's last activity; then
# `purge_transcripts` (run it daily from cron) removes them, keeping scores and hours.
YORISOI_TRANSCRIPT_RETENTION_DAYS = env_int("YORISOI_TRANSCRIPT_RETENTION_DAYS", 365 * 3, minimum=1)
# Where learners send privacy requests (an e-mail address or a desk), shown on /privacy/.
YORISOI_PRIVACY_CONTACT = env_str("YORISOI_PRIVACY_CONTACT")

# Role-play with an AI partner. No model configured is a normal state: scripted and peer
# practice work without one, and LLM mode says so.
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")
YORISOI_LLM_MODEL = env_str("YORISOI_LLM_MODEL")
YORISOI_LLM_TIMEOUT = env_int("YORISOI_LLM_TIMEOUT", 20, minimum=1)
# The AI judge reads a whole transcript at once, so it gets its own, longer deadline.
YORISOI_JUDGE_TIMEOUT = env_int("YORISOI_JUDGE_TIMEOUT", 60, minimum=1)
# The most a model may write in one call: a persona's reply is a few sentences, the judge's
# answer holds evidence for every criterion. Quota is reserved for this much before each call.
YORISOI_LLM_MAX_TOKENS = env_int("YORISOI_LLM_MAX_TOKENS", 400, minimum=16)
YORISOI_JUDGE_MAX_TOKENS = env_int("YORISOI_JUDGE_MAX_TOKENS", 2000, minimum=64)

# Background tasks. "immediate" runs a task inside the request that queued it, so `make run`
# needs no worker; "database" queues it for `manage.py db_worker` (production).
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
YORISOI_TASKS = env_str("YORISOI_TASKS", "immediate")
if YORISOI_TASKS not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"YORISOI_TASKS must be one of {', '.join(TASK_BACKENDS)}, got {YORISOI_TASKS!r}"
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[YORISOI_TASKS]}}
# Guards against runaway cost and pasted documents: characters per learner turn, and per
# learner per day the AI-partner turns and tokens.
YORISOI_ROLEPLAY_MAX_INPUT = env_int("YORISOI_ROLEPLAY_MAX_INPUT", 400, minimum=20)
YORISOI_ROLEPLAY_DAILY_TURNS = env_int("YORISOI_ROLEPLAY_DAILY_TURNS", 150, minimum=1)
YORISOI_ROLEPLAY_DAILY_TOKENS = env_int("YORISOI_ROLEPLAY_DAILY_TOKENS", 300_000, minimum=1)
# One practice conversation credits at most this many minutes to the hours ledger.
YORISOI_ROLEPLAY_MAX_MINUTES = env_int("YORISOI_ROLEPLAY_MAX_MINUTES", 60, minimum=1)
# A learner's practice credits at most this many minutes a day, however many sessions they run.
YORISOI_ROLEPLAY_DAILY_MINUTES = env_int("YORISOI_ROLEPLAY_DAILY_MINUTES", 120, minimum=1)
