from __future__ import annotations

from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "sladesk.kb"
    label = "kb"
    verbose_name = "sladesk knowledge base"
    default_auto_field = "django.db.models.BigAutoField"
