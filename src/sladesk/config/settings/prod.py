"""Production: DEBUG off, a real SECRET_KEY required, HTTPS assumed behind a proxy."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from sladesk.config.env import env_bool, env_int
from sladesk.config.settings.base import *  # noqa: F403
from sladesk.config.settings.base import SECRET_KEY

DEBUG = False
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters in production "
        "(generate one: python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
