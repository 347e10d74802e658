from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sladesk.accounts"
    label = "accounts"
    verbose_name = "Organisations, contracts and people"
