from __future__ import annotations

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "sladesk.tickets"
    label = "tickets"
    verbose_name = "Tickets"
    default_auto_field = "django.db.models.BigAutoField"
