from __future__ import annotations

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "sladesk.mail"
    label = "mail"
    verbose_name = "E-mail (inbound and outbound)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the ``email`` channel of the notifications outbox.
        from sladesk.mail import outbound  # noqa: F401
