"""Customer-facing words for policy values: targets, calendars, level notes.

Agents see the policy's ids (``1 h in always``); customers see what they mean
(``1 h, around the clock``). The ids stay available as ``title`` text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sladesk.clock.calendar import WEEK_SECONDS
from sladesk.policy import Policy
from sladesk.policy.schema import CalendarSpec, Target, format_duration

#: Short names of the zones support calendars use; others show their city.
ZONE_WORDS = {
    "America/Los_Angeles": "Pacific",
    "America/Denver": "Mountain",
    "America/Chicago": "Central",
    "America/New_York": "Eastern",
    "Europe/London": "UK time",
    "Europe/Berlin": "Berlin time",
    "Europe/Paris": "Paris time",
    "UTC": "UTC",
}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def zone_words(zone: str) -> str:
    """Return ``Pacific`` for ``America/Los_Angeles``, else the zone's city (``Tokyo time``)."""
    if zone in ZONE_WORDS:
        return ZONE_WORDS[zone]
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


def _open_seconds(spec: CalendarSpec, policy: Policy, seen: frozenset[str] = frozenset()) -> int:
    """Return the weekly open seconds of a calendar (windows merged; holidays ignored)."""
    spans: list[tuple[int, int]] = []

    def collect(s: CalendarSpec, seen: frozenset[str]) -> None:
        if s.id in seen:
            return
        if s.kind == "windows":
            for w in s.windows:
                if w.end > w.start:
                    spans.append((w.start, w.end))
                else:
                    spans.extend([(w.start, WEEK_SECONDS), (0, w.end)])
        elif s.kind == "union":
            for part in s.parts:
                if part in policy.calendars:
                    collect(policy.calendars[part], seen | {s.id})

    if spec.kind == "intersection":
        return 0  # never "around the clock" unless declared as such
    collect(spec, seen)
    total, end = 0, 0
    for start, stop in sorted(spans):
        start = max(start, end)
        if stop > start:
            total += stop - start
            end = stop
    return total


def _always_open(spec: CalendarSpec, policy: Policy) -> bool:
    if spec.kind == "windows" and not spec.open_on_holidays and spec.holidays:
        return False
    return _open_seconds(spec, policy) >= WEEK_SECONDS


def _window_words(spec: CalendarSpec) -> str:
    """Return ``Mon 00:00–Sat 00:00`` from the calendar's description, without ids."""
    zone = spec.zone
    text = spec.description
    # the loader's generated description: "<windows> <zone>, open on holidays / closed on X"
    text = text.replace(f" {zone}", "").replace(zone, "")
    text = re.sub(r",?\s*open on holidays", "", text)
    text = re.sub(r",?\s*closed on \S+ holidays", "", text)
    text = re.sub(r"(\d\d:\d\d|[A-Z][a-z]{2}) ?- ?", r"\1–", text)
    return text.strip(" ,")


def calendar_words(spec: CalendarSpec, policy: Policy) -> str:
    """Return how a calendar reads to a customer: ``around the clock`` or its hours."""
    if _always_open(spec, policy):
        return "around the clock"
    hours = _window_words(spec) if spec.kind == "windows" else spec.name
    closed = ""
    if spec.kind == "windows" and spec.holidays and not spec.open_on_holidays:
        rule = policy.holiday_rules.get(spec.holidays)
        country = f"{rule.country} " if rule is not None and rule.country else ""
        closed = f", closed on {country}public holidays"
    return f"{hours} {zone_words(spec.zone)}{closed}"


def _cover(spec: CalendarSpec) -> str:
    """Return ``weekday`` for "Weekdays 24x5", ``business day`` for "Business day"."""
    name = re.sub(r"\s*\b\d+x\d+\b", "", spec.name).strip() or spec.id.replace("_", " ")
    if name.lower().endswith("days"):
        name = name[:-1]
    return name[0].lower() + name[1:]


def duration_target_words(within: dt.timedelta, calendar_id: str, policy: Policy) -> str:
    """Return ``1 h, around the clock`` or ``16 h of weekdays 24x5 cover (Mon 00:00–...)``."""
    spec = policy.calendars.get(calendar_id)
    span = format_duration(within)
    if spec is None:
        return span
    if _always_open(spec, policy):
        return f"{span}, around the clock"
    return f"{span} of {_cover(spec)} cover ({calendar_words(spec, policy)})"


def next_business_day_words(at: str, calendar_id: str, policy: Policy) -> str:
    spec = policy.calendars.get(calendar_id)
    zone = f" {zone_words(spec.zone)}" if spec is not None else ""
    return f"next business day by {at}{zone}"


def target_words(target: Target, policy: Policy) -> str:
    """Return a policy target as a customer reads it."""
    if target.kind == "duration" and target.within is not None:
        return duration_target_words(target.within, target.calendar, policy)
    at = target.at.strftime("%H:%M") if target.at is not None else "?"
    return next_business_day_words(at, target.calendar, policy)


def clock_target_words(*, label: str, seconds: int, calendar_id: str, policy: Policy) -> str:
    """Return a running clock's target (stored as ``label``) as a customer reads it."""
    if label.startswith("next business day"):
        found = re.search(r"\d\d:\d\d", label)
        return next_business_day_words(found.group(0) if found else "", calendar_id, policy)
    return duration_target_words(dt.timedelta(seconds=seconds), calendar_id, policy)


AGENT_CHANGE = re.compile(r"^set by an agent \((?P<why>[^)]*)\): (?P<reason>.*)$", re.DOTALL)


def customer_level_note(
    ticket: Any, flags: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]]]:
    """Return one line about the ticket's level for the customer, and the remaining flags.

    An agent's change reads "Level changed by the support team: <reason>"; a ticket held
    at the non-production level gets one sentence instead of the triage note plus the
    "non production" flag.
    """
    rest = [f for f in flags if f.get("code") != "non_production"]
    reason = ticket.severity_reason or ""
    changed = AGENT_CHANGE.match(reason)
    if changed:
        return f"Level changed by the support team: {changed.group('reason')}", rest
    if not ticket.is_production and ticket.severity != ticket.requested_severity:
        env = ticket.environment.name if ticket.environment is not None else "This environment"
        return (
            f"{env} is not a production environment, so this ticket is handled at level "
            f"{ticket.severity} (you asked for {ticket.requested_severity}).",
            rest,
        )
    if ticket.severity != ticket.requested_severity:
        return reason, flags
    if len(rest) != len(flags) and not ticket.is_production:
        env = ticket.environment.name if ticket.environment is not None else "This environment"
        return (
            f"{env} is not a production environment, so this ticket is handled at level "
            f"{ticket.severity}.",
            rest,
        )
    return "", flags
