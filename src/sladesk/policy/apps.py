"""Django app config for the support policy: registers the start-up check."""

from __future__ import annotations

from django.apps import AppConfig


class PolicyConfig(AppConfig):
    """Make ``sladesk.policy`` an app so ``manage.py check`` validates the policy file."""

    name = "sladesk.policy"
    label = "policy"
    verbose_name = "Support policy"

    def ready(self) -> None:
        """Register the policy check; a bad policy then fails ``check`` and server start."""
        from django.core import checks

        from sladesk.policy.checks import check_policy

        checks.register(check_policy)
