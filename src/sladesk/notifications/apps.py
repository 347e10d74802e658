from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sladesk.notifications"
    label = "notifications"
    verbose_name = "Notifications (outbox)"
    default_auto_field = "django.db.models.BigAutoField"
