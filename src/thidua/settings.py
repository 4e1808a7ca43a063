"""Settings, all from the environment (THIDUA_*), with safe local defaults.

THIDUA_DEPLOYMENT=production turns on everything a server behind HTTPS needs
(secure cookies, HSTS, redirect); `thidua check --deploy` is clean with it.
"""

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("THIDUA_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A key kept in var/ so a laptop install needs no configuration; servers set the env."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEPLOYMENT = os.environ.get("THIDUA_DEPLOYMENT", "local")
PRODUCTION = DEPLOYMENT == "production"
DEBUG = env_bool("THIDUA_DEBUG", False)
SECRET_KEY = os.environ.get("THIDUA_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        # Several app servers each inventing a key would log everybody out between them.
        raise ImproperlyConfigured("THIDUA_SECRET_KEY phải được đặt khi THIDUA_DEPLOYMENT="
                                   "production / must be set in production.")
    SECRET_KEY = _local_secret_key()
# The root of every poll's ballot key (voting.sealing): ballots are sealed with a key the
# count derives from this and the poll's salt, never stored in the database, so a backup
# or a copy of the database files alone opens no ballot. It must stay the same from a
# poll's opening to its close on every app server (closing refuses a changed one).
BALLOT_SECRET = os.environ.get("THIDUA_BALLOT_SECRET") or SECRET_KEY
# The root of the key that encrypts two-factor (TOTP) secrets at rest (core.secretbox):
# never in the database, so a backup alone gives no one's second factor. Changing it makes
# every enrolled user re-enrol (`thidua twofactor reset`).
TWO_FACTOR_SECRET = os.environ.get("THIDUA_TWO_FACTOR_SECRET") or SECRET_KEY
# PKCS#11 libraries (a signing token's module) a province may sign issued PDFs through
# (documents.tokens): the paths the server's administrator allows, separated by ":"; none
# by default — a path typed on a web page is never loaded. The token's PIN is read from
# an environment variable named THIDUA_PKCS11_PIN_<…> chosen with the token, never stored.
PKCS11_MODULES = tuple(p for p in os.environ.get("THIDUA_PKCS11_MODULES", "").split(":") if p)
ALLOWED_HOSTS = env_list("THIDUA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("THIDUA_CSRF_TRUSTED_ORIGINS", "")


def _public_url() -> str:
    """Where delegates' phones reach the site: the links in voting cards' QR codes, printed
    on paper, must work outside this server (thidua.voting.links)."""
    url = os.environ.get("THIDUA_PUBLIC_URL", "").strip().rstrip("/")
    if url and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", url):
        raise ImproperlyConfigured(
            f"THIDUA_PUBLIC_URL={url!r}: phải là địa chỉ gốc như https://thidua.bacninh.gov.vn "
            "hoặc http://192.168.1.10:8000 (không có đường dẫn) / must be a scheme and host.")
    if url and PRODUCTION and not url.startswith("https://"):
        raise ImproperlyConfigured("THIDUA_PUBLIC_URL phải dùng https:// khi THIDUA_DEPLOYMENT="
                                   "production / must be https in production.")
    return url


THIDUA_PUBLIC_URL = _public_url()
THIDUA_BIND = os.environ.get("THIDUA_BIND", "127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks_db",
    "axes",
    "thidua.core",
    "thidua.law",
    "thidua.org",
    "thidua.pledges",
    "thidua.scoring",
    "thidua.awards",
    "thidua.voting",
    "thidua.documents",
    "thidua.publication",
    "thidua.exchange",
    "thidua.web",
    "thidua.api",
    "thidua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "thidua.core.middleware.NFCMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "thidua.org.twofactor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "thidua.core.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "thidua.urls"
WSGI_APPLICATION = "thidua.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "thidua.web.context.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ by default, anything dj-database-url reads otherwise.
DATABASE_URL = os.environ.get("THIDUA_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'thidua.sqlite3'}"
# Persistent connections pay off on a server (`thidua serve` and production default to
# 60 s); elsewhere (tests, commands, runserver) they only hold databases open.
DATABASES = {"default": dj_database_url.parse(
    DATABASE_URL, conn_health_checks=True,
    conn_max_age=int(os.environ.get("THIDUA_DB_CONN_MAX_AGE", 60 if PRODUCTION else 0)))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that asks the server only when the socket says
    # something happened, and prepared statements for the hot path (thidua.core.postgresql).
    DATABASES["default"]["ENGINE"] = "thidua.core.postgresql"
    if os.environ.get("THIDUA_DB_PREPARED", "1") == "0":
        # A pooler that cannot keep prepared statements (PgBouncer in transaction mode
        # without max_prepared_statements): plain statements only.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with writers queued on a file lock (thidua.core.sqlite3.base).
    DATABASES["default"]["ENGINE"] = "thidua.core.sqlite3"
    # A fresh var/ (a server sets THIDUA_SECRET_KEY, so nothing else creates it) must not
    # fail with "unable to open database file".
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # Seconds a request waits for a lock before the 503 page (core.dbfault).
        "timeout": int(os.environ.get("THIDUA_SQLITE_TIMEOUT", 20)),
        # synchronous=FULL: every commit is synced to disk before it returns, so a ballot
        # acknowledged with its receipt survives a power cut (NORMAL in WAL mode may lose
        # the last commits). Its cost is measured in README.md ("Độ bền").
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
        "PRAGMA foreign_keys=ON;",
    }
    # In memory unless named; said outright, because pytest-django knows an in-memory
    # test database by Django's engine name only, which the engine above is not.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("THIDUA_TEST_SQLITE_NAME") or ":memory:"}
else:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("THIDUA_TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "thidua_cache",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("THIDUA_SESSION_SECONDS", 8 * 3600))

# Sign-in lockout (django-axes, attempts in the database so every process counts them):
# 5 failures for one account *from one address* lock that pair only (429 and a Vietnamese
# page) — a stranger elsewhere cannot lock the bloc leader out of the conference — for a
# cool-off that doubles with each lockout of the pair in a day, 1 minute up to 15
# (core.signin.cool_off); a correct two-factor code lifts it; a success resets the count.
# Guessing across accounts from one address is the login rate limit's job
# (core.ratelimit). Two-factor: core.twofactor (who must: org.twofactor).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("THIDUA_LOGIN_FAILURE_LIMIT", 5))
THIDUA_LOCKOUT_MINUTES = int(os.environ.get("THIDUA_LOCKOUT_MINUTES", 15))
AXES_COOLOFF_TIME = "thidua.core.signin.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "thidua.core.ratelimit.client_ip"
AXES_VERBOSE = False
# How many reverse proxies of ours add to X-Forwarded-For (0: trust REMOTE_ADDR only).
THIDUA_PROXY_COUNT = int(os.environ.get("THIDUA_PROXY_COUNT", 0))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "thidua.core.passwords.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Always Vietnamese: the pages are written in Vietnamese, so negotiating from the
# browser's Accept-Language would only mix Django's own English strings into them (an
# officer's browser is often set to English). English comes with its translations.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = os.environ.get("THIDUA_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cache-busting) need `collectstatic`, part of a deployment; a laptop
    # install serves the files straight from the apps.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist

# Uploaded evidence lives outside any served directory: it is only ever sent by a view
# that checked permission first (no MEDIA_URL on purpose).
MEDIA_ROOT = Path(os.environ.get("THIDUA_MEDIA_ROOT", VAR_DIR / "media")).resolve()
EVIDENCE_MAX_BYTES = int(os.environ.get("THIDUA_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Content Security Policy (Django's own middleware): nothing inline, nothing foreign.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("THIDUA_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("THIDUA_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("THIDUA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 100

# Background jobs (PDF conversion): rows in the database, run by `thidua db_worker`.
# THIDUA_TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend runs them inline.
TASKS = {"default": {"BACKEND": os.environ.get("THIDUA_TASKS_BACKEND",
                                               "django_tasks_db.DatabaseBackend")}}

# E-mail (scoring reminders): Django's mailers. SMTP in production (a console there would
# drop every reminder unseen), the console on a laptop; THIDUA_EMAIL_BACKEND overrides;
# the test runner swaps in the in-memory backend (outbox).
EMAIL_BACKEND_PATH = os.environ.get(
    "THIDUA_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend")
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": {
    "host": os.environ.get("THIDUA_EMAIL_HOST", "localhost"),
    "port": int(os.environ.get("THIDUA_EMAIL_PORT", 25)),
    "username": os.environ.get("THIDUA_EMAIL_HOST_USER", ""),
    "password": os.environ.get("THIDUA_EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("THIDUA_EMAIL_USE_TLS", False),
} if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend") else {}}}
DEFAULT_FROM_EMAIL = os.environ.get("THIDUA_DEFAULT_FROM_EMAIL", "thidua@localhost")
# A unit is reminded of its missing score sheets at most once in this many hours.
SCORING_REMINDER_INTERVAL_HOURS = int(os.environ.get("THIDUA_REMINDER_INTERVAL_HOURS", 24))
