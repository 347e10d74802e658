"""How the accounts app reads the support policy (always at call time)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sladesk.core.exceptions import ValidationFailed

if TYPE_CHECKING:
    from sladesk.policy.schema import Plan, Policy


def current_policy() -> Policy:
    """Return the policy the desk runs (``SLADESK_POLICY`` or the shipped default)."""
    from sladesk.policy import get_policy

    return get_policy()


def resolve_policy(policy: Policy | None) -> Policy:
    """Return ``policy`` or, when ``None``, the current one."""
    return policy if policy is not None else current_policy()


def desk_date(*, at: dt.datetime, policy: Policy) -> dt.date:
    """Return the calendar date of ``at`` in the policy's zone: the "day" contracts speak of."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("an aware datetime is required")
    return at.astimezone(ZoneInfo(policy.zone)).date()


def plan_of(*, policy: Policy, plan_id: str) -> Plan:
    """Return the policy's plan ``plan_id`` or refuse with ``unknown_plan``."""
    try:
        return policy.plans[plan_id]
    except KeyError:
        known = ", ".join(sorted(policy.plans)) or "none"
        raise ValidationFailed(
            f"unknown plan {plan_id!r}: the policy {policy.version} has {known}",
            code="unknown_plan",
            details={"plan": plan_id, "known": sorted(policy.plans)},
        ) from None
