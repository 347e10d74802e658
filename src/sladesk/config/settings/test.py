"""Settings for the test suite: fast hashing, in-memory mail, immediate tasks."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sladesk.config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="sladesk-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "mail", "sla"],  # the desk's queues, as in base.py
    }
}
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="sladesk-test-static-"))
WHITENOISE_USE_FINDERS = True
