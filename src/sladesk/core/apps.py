from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sladesk.core"
    label = "core"
    verbose_name = "sladesk core"
