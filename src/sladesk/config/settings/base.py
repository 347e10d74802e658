"""Settings shared by every environment; values come from the environment.

See ``docs/configuration.md`` for every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from sladesk.config.env import env_bool, env_int, env_list, env_str, var_dir

PACKAGE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = var_dir()

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", "") or ""
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "sladesk.core",
    "sladesk.policy",
    "sladesk.accounts",
    "sladesk.tickets",
    "sladesk.notifications",
    "sladesk.kb",
    "sladesk.web",
    "sladesk.api",
    "sladesk.packets",
    "sladesk.mail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "sladesk.config.urls"
WSGI_APPLICATION = "sladesk.config.wsgi.application"

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
            ],
        },
    },
]


def database_from_env() -> dict[str, object]:
    """Build the default database from ``DATABASE_URL`` (SQLite under ``var/`` if unset)."""
    url = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'sladesk.sqlite3'}"
    config: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", default=0))
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web process read while the worker writes; IMMEDIATE
        # transactions take the write lock up front instead of failing mid-way.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DB_PREPARED_STATEMENTS", default=True
    ):
        # Parameters bound by the server, and a statement run twice on a connection is
        # prepared: PostgreSQL then plans it once per connection instead of every time
        # (half of its CPU per ticket opening; benchmarks/RESULTS.md). Off behind a
        # pooler in transaction mode (PgBouncer before 1.21), which cannot keep them.
        config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
    return config


DATABASES = {"default": database_from_env()}

# Uploads: a file over the attachment size limit is skipped as soon as it goes over,
# not spooled whole to disk first (sladesk.tickets.uploads).
FILE_UPLOAD_HANDLERS = [
    "sladesk.tickets.uploads.AttachmentSizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["sladesk.accounts.backends.EmailBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mail", "sla"],
    }
}

# E-mail (outbound); see docs/configuration.md.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sladesk <support@sladesk.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SLADESK_SUPPORT_ADDRESSES = env_list("SLADESK_SUPPORT_ADDRESSES", ["support@sladesk.localhost"])
# Inbound mail (sladesk mail serve/poll); see docs/mail.md.
SLADESK_MAIL_MAX_MESSAGE_BYTES = env_int("SLADESK_MAIL_MAX_MESSAGE_BYTES", default=75 * 1024 * 1024)
SLADESK_MAIL_MAX_RECIPIENTS = env_int("SLADESK_MAIL_MAX_RECIPIENTS", default=100)
SLADESK_MAIL_AUTOREPLY_LIMIT = env_int("SLADESK_MAIL_AUTOREPLY_LIMIT", default=5)
SLADESK_MAIL_AUTOREPLY_WINDOW = env_int("SLADESK_MAIL_AUTOREPLY_WINDOW", default=3600)
SLADESK_MAIL_TRUSTED_AUTHSERV_IDS = env_list("SLADESK_MAIL_TRUSTED_AUTHSERV_IDS", [])
SLADESK_MAIL_DEFAULT_SEVERITY = env_str("SLADESK_MAIL_DEFAULT_SEVERITY", "L3") or "L3"
SLADESK_MAIL_DEFAULT_CATEGORY = env_str("SLADESK_MAIL_DEFAULT_CATEGORY", "question") or "question"
SLADESK_MAIL_INLINE_MAX_BYTES = env_int("SLADESK_MAIL_INLINE_MAX_BYTES", default=1024 * 1024)
SLADESK_MAIL_FOLLOW_SECONDS = env_int("SLADESK_MAIL_FOLLOW_SECONDS", default=10)
SLADESK_MAIL_REMINDER_HOURS = env_int("SLADESK_MAIL_REMINDER_HOURS", default=72)

# Where contacts open tickets (named in refusals that point to the portal).
SLADESK_PORTAL_URL = env_str("SLADESK_PORTAL_URL", "") or ""
# The desk's public address, for links in outbound mail ("" = no links).
SLADESK_BASE_URL = env_str("SLADESK_BASE_URL", "") or ""
SLADESK_SIGN_IN_LINK_MINUTES = env_int("SLADESK_SIGN_IN_LINK_MINUTES", default=15)

# The support policy file; None means the shipped default (sladesk/policy/data/mattermost.toml).
SLADESK_POLICY = env_str("SLADESK_POLICY") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "sladesk.core.logs.ConsoleHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
