"""WSGI entry point (``sladesk serve`` runs it under granian; any WSGI server can)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.config.settings.dev")
application = get_wsgi_application()

from sladesk.core.startup import ready_to_serve  # noqa: E402 - after Django is set up

ready_to_serve()
