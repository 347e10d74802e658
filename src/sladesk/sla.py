"""When is the first response due? The library call behind tickets, reports and the CLI.

``first_response_due("premier", "L2", opened_at)`` looks the target up in the policy
in force (or the ``policy=`` given) and counts it on the policy's coverage calendar
with ``sladesk.clock``. It works in a plain Python process: no Django import, no
settings needed (the policy file then comes from ``$SLADESK_POLICY`` or the default).

The call is on hot paths (SLA sweeps, ticket lists), so everything that depends only
on the policy is prepared once per ``Policy`` object: each (plan, level) maps to a
ready callable, and a call does one dict lookup plus the clock arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sladesk.clock import AnyCalendar, NaiveDatetimeError, add, next_business_day, windows
from sladesk.policy import Policy, Target, get_policy

__all__ = [
    "FirstResponseExplanation",
    "PolicyLookupError",
    "explain_first_response",
    "first_response_due",
]

_Due = Callable[[datetime], datetime]


class PolicyLookupError(LookupError, ValueError):
    """A plan or severity id is not defined by the policy; the message lists the known ids."""


@dataclass(frozen=True, slots=True)
class FirstResponseExplanation:
    """Why a first response is due when it is: what ``sladesk sla due --explain`` prints."""

    plan: str
    plan_name: str
    requested_severity: str
    severity: str  # the level whose target was used
    reason: str  # why that level: "as requested" or the production rule
    target: Target
    target_description: str  # "2 h in always", "next business day 17:00"
    calendar: str  # calendar id
    calendar_description: str
    zone: str  # the calendar's zone: where "local" times are read
    opened_at: datetime  # UTC
    due: datetime  # UTC
    counted: tuple[tuple[datetime, datetime], ...]  # open windows in [opened_at, due), UTC

    def local(self, instant: datetime) -> datetime:
        """Return ``instant`` in the calendar's zone."""
        return instant.astimezone(ZoneInfo(self.zone))

    @property
    def open_time(self) -> timedelta:
        """Return the open time counted: the sum of ``counted``."""
        return sum((end - start for start, end in self.counted), timedelta())


class _Prepared:
    """Everything ``first_response_due`` needs from one policy, built once."""

    __slots__ = ("due", "levels", "non_production", "plans", "policy")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.plans = tuple(policy.plans)
        self.levels = tuple(policy.severities)
        self.non_production = policy.production.non_production_severity
        self.due: dict[str, dict[str, _Due]] = {
            plan.id: {
                level: _prepare(
                    target=target,
                    calendar=policy.calendars[target.calendar].calendar,
                    zone=_zone_of(policy, target.calendar),
                )
                for level, target in plan.first_response.items()
            }
            for plan in policy.plans.values()
        }

    def unknown(self, *, plan: str, severity: str) -> PolicyLookupError:
        """Return the error naming whichever id is unknown, with the known ones."""
        if plan not in self.due:
            return PolicyLookupError(
                f"unknown plan {plan!r} (known: {', '.join(self.plans)}) "
                f"in policy {self.policy.id} {self.policy.version}"
            )
        return PolicyLookupError(
            f"unknown severity {severity!r} (known: {', '.join(self.levels)}) "
            f"in policy {self.policy.id} {self.policy.version}"
        )


def _prepare(*, target: Target, calendar: AnyCalendar, zone: str) -> _Due:
    """Return a callable computing ``target``'s due instant from the opening instant."""
    if target.kind == "duration":
        within = target.within
        assert within is not None  # the loader guarantees it

        def due_after(opened_at: datetime) -> datetime:
            return add(calendar, opened_at, within)

        return due_after

    at = target.at
    assert at is not None  # the loader guarantees it
    tz = ZoneInfo(zone)
    # The due instant depends only on the local date of opening, so remember it per date.
    by_date: dict[date, datetime] = {}

    def next_business_day_after(opened_at: datetime) -> datetime:
        day = opened_at.astimezone(tz).date()
        found = by_date.get(day)
        if found is None:
            found = next_business_day(calendar, opened_at, at=at, zone=zone)
            if len(by_date) >= 4096:
                by_date.clear()
            by_date[day] = found
        return found

    return next_business_day_after


def _zone_of(policy: Policy, calendar_id: str, /) -> str:
    """Return the calendar's zone (the policy's display zone for a mix of zones)."""
    zone = policy.calendars[calendar_id].zone
    return policy.zone if zone == "mixed" else zone


# Prepared policies by identity; the Policy is kept so its id cannot be reused.
_prepared: dict[int, _Prepared] = {}


def _prepared_for(policy: Policy) -> _Prepared:
    found = _prepared.get(id(policy))
    if found is not None and found.policy is policy:
        return found
    found = _Prepared(policy)
    if len(_prepared) >= 16:
        _prepared.clear()
    _prepared[id(policy)] = found
    return found


def first_response_due(
    plan: str,
    severity: str,
    opened_at: datetime,
    *,
    production: bool = True,
    policy: Policy | None = None,
) -> datetime:
    """Return the aware UTC instant by which the first response is due.

    A non-production ticket takes the production rule's level (L4) before the target
    is looked up, whatever ``severity`` says (policy, "Severity levels"). ``opened_at``
    must be aware: a naive datetime raises ``NaiveDatetimeError``, since guessing its
    zone would move the deadline. An unknown plan or severity raises
    ``PolicyLookupError`` naming the known ids.
    """
    if opened_at.tzinfo is None:
        raise NaiveDatetimeError(
            f"opened_at {opened_at.isoformat()} has no UTC offset; give an aware datetime"
        )
    prepared = _prepared_for(policy if policy is not None else get_policy())
    try:
        by_level = prepared.due[plan]
        if production:
            return by_level[severity](opened_at)
        if severity not in by_level:
            raise KeyError(severity)
        return by_level[prepared.non_production](opened_at)
    except KeyError:
        raise prepared.unknown(plan=plan, severity=severity) from None


def explain_first_response(
    plan: str,
    severity: str,
    opened_at: datetime,
    *,
    production: bool = True,
    policy: Policy | None = None,
) -> FirstResponseExplanation:
    """Return the due instant with its reasons: the level used, the target, the windows counted.

    Slower than ``first_response_due`` (it lists the calendar's open windows); meant
    for people (``sladesk sla due --explain``), not for sweeps.
    """
    policy = policy if policy is not None else get_policy()
    due = first_response_due(plan, severity, opened_at, production=production, policy=policy)
    found = policy.plans[plan]
    if production:
        level, reason = severity, "as requested"
    else:
        level = policy.production.non_production_severity
        reason = f"requested {severity}; non-production tickets are {level}"
    target = found.first_response[level]
    spec = policy.calendars[target.calendar]
    zone = _zone_of(policy, spec.id)
    opened_utc = opened_at.astimezone(UTC)
    counted = windows(spec.calendar, opened_utc, due) if due > opened_utc else []
    return FirstResponseExplanation(
        plan=found.id,
        plan_name=found.marketing_name,
        requested_severity=severity,
        severity=level,
        reason=reason,
        target=target,
        target_description=target.label(),
        calendar=spec.id,
        calendar_description=spec.description,
        zone=zone,
        opened_at=opened_utc,
        due=due,
        counted=tuple(counted),
    )
