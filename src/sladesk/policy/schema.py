"""The support policy as frozen, typed values.

A ``Policy`` is what the loader (``sladesk.policy.loader``) builds from a policy file
(TOML). Nothing here knows about files or Django; every value is immutable so a policy
can be shared between threads and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sladesk.clock import AnyCalendar, Window


@dataclass(frozen=True, slots=True)
class Severity:
    """A severity level (L1..L4) and the characteristics that define it."""

    id: str
    name: str
    characteristics: tuple[str, ...]
    rank: int  # 1 = most urgent


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """A coverage calendar as declared in the policy, plus the clock calendar built from it."""

    id: str
    name: str
    zone: str
    description: str  # e.g. "Mon-Fri 09:00-17:00, closed on US federal holidays (observed)"
    holidays: str | None  # id of a HolidayRule, or None
    open_on_holidays: bool
    calendar: AnyCalendar  # built for the policy's year range (see HolidayRule.years)
    kind: str = "windows"  # "windows" | "union" | "intersection"
    windows: tuple[Window, ...] = ()  # weekly windows (kind == "windows")
    parts: tuple[str, ...] = ()  # calendar ids combined (kind == "union" | "intersection")


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """Where holiday dates come from: the ``holidays`` package plus custom dates."""

    id: str
    country: str
    subdivision: str | None
    observed: bool
    only: tuple[str, ...]  # restrict to these holiday names (empty = all the package lists)
    extra_dates: tuple[str, ...]  # ISO dates added
    removed_dates: tuple[str, ...]  # ISO dates removed
    years: tuple[int, int]  # inclusive range of years materialised
    language: str | None = None  # language of the package's holiday names (None = its default)
    dates: frozenset[date] = frozenset()  # the materialised closed dates, after every rule above


@dataclass(frozen=True, slots=True)
class Target:
    """A first-response (or other) target.

    Either ``within`` open time of ``calendar`` (``kind == "duration"``), or the
    contract's "next business day" rule (``kind == "next_business_day"``): ``at`` o'clock
    on the first business date of ``calendar`` strictly after the opening date.
    """

    kind: str  # "duration" | "next_business_day"
    calendar: str  # calendar id
    within: timedelta | None = None
    at: time | None = None

    def describe(self) -> str:
        """Return ``"1 h in always"`` or ``"next business day (17:00, business_day)"``."""
        if self.kind == "duration" and self.within is not None:
            return f"{format_duration(self.within)} in {self.calendar}"
        at = self.at.strftime("%H:%M") if self.at is not None else "?"
        return f"next business day ({at}, {self.calendar})"

    def label(self) -> str:
        """Return a table cell: ``"1 h in always"`` or ``"next business day 17:00"``.

        The contract's target table names the calendar only for durations; a
        "next business day" cell reads as the contract does.
        """
        if self.kind == "duration" and self.within is not None:
            return f"{format_duration(self.within)} in {self.calendar}"
        at = self.at.strftime("%H:%M") if self.at is not None else "?"
        return f"next business day {at}"


@dataclass(frozen=True, slots=True)
class Entitlements:
    """What a plan's subscribers may use (booleans and limits)."""

    channels: frozenset[str]  # "portal", "email", "api", "chat", "phone"
    email_support: bool
    named_contacts_required: bool
    named_contact_limit: int | None  # None = no fixed limit
    # licensed non-production environments; None = unlimited
    non_production_environments: int | None
    senior_routing: bool
    development_priority: bool
    weekend_coverage_levels: frozenset[str]
    screen_sharing: bool
    health_checks: bool
    deployment_advisory: bool
    onboarding: bool
    roadmap_influence: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """A support plan (tier) with its entitlements and targets per severity."""

    id: str
    name: str
    marketing_name: str
    includes: tuple[str, ...]
    entitlements: Entitlements
    first_response: dict[str, Target]  # severity id -> target (read-only by convention)
    next_reply: dict[str, Target] = field(default_factory=dict)
    resolution: dict[str, Target] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProductionRule:
    """Non-production requests are forced to one level before the target is looked up."""

    non_production_severity: str
    agent_may_override: bool
    description: str


@dataclass(frozen=True, slots=True)
class ScopeExclusion:
    """Something the contract does not cover; the desk flags it, never drops it."""

    id: str
    title: str
    reason: str
    pointer: str | None = None  # where to send the requester instead (URL or text)


@dataclass(frozen=True, slots=True)
class ContactRules:
    """Who counts as an individual named contact."""

    role_local_parts: frozenset[str]  # shared/group mailbox names refused as named contacts
    end_users_supported: bool
    company_domain_required: bool = True  # contact addresses must be at a company domain
    # Whose addresses are refused when their local part is a role name:
    # "named_contacts" (plans with named_contacts_required), "all_contacts", or "none".
    refuse_role_addresses: str = "named_contacts"


@dataclass(frozen=True, slots=True)
class ReleaseRule:
    """Which server releases are supported (the catalogue itself is data in the desk)."""

    rule: str  # "latest_or_previous_major" | "vendor_lifecycle" (see sladesk.accounts.releases)
    extended_support_until_end: bool


@dataclass(frozen=True, slots=True)
class Policy:
    """A whole support policy, validated."""

    id: str
    name: str
    vendor: str
    file_version: str
    content_hash: str  # sha256 hex of the file bytes
    source: str  # the file path as given, or the ``source=`` of load_policy_text
    zone: str  # the policy's display zone for SLA instants
    severities: dict[str, Severity]
    calendars: dict[str, CalendarSpec]
    holiday_rules: dict[str, HolidayRule]
    plans: dict[str, Plan]
    production: ProductionRule
    exclusions: tuple[ScopeExclusion, ...]
    contacts: ContactRules
    releases: ReleaseRule
    warning_thresholds: tuple[float, ...] = (0.75, 0.9)
    # Clocks that "waiting on customer" pauses (never "first_response"); [sla] in the file.
    waiting_on_customer_pauses: frozenset[str] = frozenset({"next_reply", "resolution"})
    # A customer reply reopens a solved ticket within this long after it was solved.
    reopen_window: timedelta = timedelta(hours=48)

    @property
    def version(self) -> str:
        """Return ``"<file version>+<first 12 hex of the content hash>"``: what tickets record."""
        return f"{self.file_version}+{self.content_hash[:12]}"


def format_duration(d: timedelta) -> str:
    """Return ``"1 h"``, ``"90 min"``, ``"1 h 30 min"``, ``"45 s"``."""
    total = int(d.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if seconds or not parts:
        parts.append(f"{seconds} s")
    return " ".join(parts)
