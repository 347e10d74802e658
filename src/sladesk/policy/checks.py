"""System check: the support policy file in force must be valid (``policy.E001``).

A desk running on a broken contract would compute wrong due dates, so ``manage.py
check`` and server start refuse it, listing every problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error

from sladesk.policy import PolicyError, get_policy, policy_path


def check_policy(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Return ``policy.E001`` listing every problem if the policy file is invalid."""
    path = policy_path()
    try:
        get_policy()
    except PolicyError as exc:
        problems = "\n".join(f"  {line}" for line in exc.lines())
        return [
            Error(
                f"the support policy is invalid:\n{problems}",
                hint=f"fix {path} (see docs/policy.md; check it with: sladesk policy check {path})",
                obj=path,
                id="policy.E001",
            )
        ]
    return []
