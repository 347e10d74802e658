from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sladesk.web"
    label = "web"
    verbose_name = "sladesk web desk"
