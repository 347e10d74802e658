from __future__ import annotations

from django.apps import AppConfig


class PacketsConfig(AppConfig):
    name = "sladesk.packets"
    label = "packets"
    verbose_name = "Support packets"
    default_auto_field = "django.db.models.BigAutoField"
