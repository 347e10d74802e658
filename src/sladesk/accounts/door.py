"""The door: may this person ask for support, here, now, through this channel?

Every channel (portal, e-mail, REST API, CLI, chat) calls ``request_check`` before a
request becomes a ticket. It never raises for a refusal: it returns a frozen ``Decision``
with every reason (a stable ``code`` and a sentence) and the flags an agent should see
(release not supported, non-production, ...). ``Decision.raise_if_refused()`` turns a
refusal into a ``RequestRefused`` error for interfaces that want one.

Policy clauses implemented here (docs/accounts.md has the table of codes):

- "Eligibility for any plan: a subscription that is valid (started, not expired, not
  cancelled) on the day the request is made" -- the day is the calendar date of ``at`` in
  the policy's zone.
- "Premier requests must be filed by one of at most three named contacts".
- "End users are not supported: only registered contacts may open or reply to tickets."
- The plan's channels: e-mail support is an entitlement (E20 and Premier), not a right.
- Server releases other than the supported ones are flagged, never dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

from sladesk.accounts.models import Agent, Contact, Environment, Organisation, Subscription
from sladesk.accounts.policy import desk_date, resolve_policy
from sladesk.accounts.releases import SupportStatus
from sladesk.accounts.rules import email_domain, normalise_email
from sladesk.accounts.selectors import (
    contact_active_by_email,
    contact_active_for_user,
    contact_last_by_email,
    environment_by_id,
    organisation_find,
    organisation_for_domain,
    release_support,
    subscription_and_environment,
    subscription_valid_on,
)
from sladesk.core.exceptions import DeskError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from sladesk.policy.schema import Plan, Policy

#: Channels a request can arrive through. ``cli`` is an agent typing a request on a
#: customer's behalf: the plan's channel entitlements are not checked for it.
CHANNELS = ("portal", "email", "api", "chat", "phone", "cli")
AGENT_CHANNELS = frozenset({"cli"})
CHANNEL_NAMES = {
    "portal": "the portal",
    "email": "e-mail support",
    "api": "the API",
    "chat": "chat",
    "phone": "phone support",
    "cli": "the command line",
}
SUBSCRIPTION_ENDING_DAYS = 30
RELEASE_ENDING_DAYS = 90


@dataclass(frozen=True, slots=True)
class Reason:
    """A refusal reason or an agent flag: a stable machine ``code`` and a human ``message``."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class RequestRefused(DeskError):
    """The door refused the request; ``code`` is the first reason, ``details`` has them all."""

    code = "request_refused"
    status = 403


@dataclass(frozen=True, slots=True)
class Decision:
    """What the door decided, and everything it found on the way."""

    allowed: bool
    reasons: tuple[Reason, ...]
    flags: tuple[Reason, ...]
    channel: str
    at: dt.datetime
    day: dt.date
    policy_version: str
    requester_email: str | None = None
    organisation: Organisation | None = None
    contact: Contact | None = None
    subscription: Subscription | None = None
    plan_id: str | None = None
    environment: Environment | None = None
    release: SupportStatus | None = field(default=None)

    @property
    def codes(self) -> tuple[str, ...]:
        """Return the refusal codes, most fundamental first."""
        return tuple(r.code for r in self.reasons)

    @property
    def flag_codes(self) -> tuple[str, ...]:
        """Return the flag codes."""
        return tuple(f.code for f in self.flags)

    def raise_if_refused(self) -> None:
        """Raise ``RequestRefused`` (first reason's code, all reasons in details) if refused."""
        if self.allowed:
            return
        first = self.reasons[0]
        raise RequestRefused(
            first.message,
            code=first.code,
            details={
                "reasons": [r.as_dict() for r in self.reasons],
                "flags": [f.as_dict() for f in self.flags],
            },
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the decision as JSON-ready data (what the API returns)."""
        return {
            "allowed": self.allowed,
            "reasons": [r.as_dict() for r in self.reasons],
            "flags": [f.as_dict() for f in self.flags],
            "channel": self.channel,
            "at": self.at.isoformat(),
            "day": self.day.isoformat(),
            "policy_version": self.policy_version,
            "requester_email": self.requester_email,
            "organisation_id": self.organisation.pk if self.organisation else None,
            "contact_id": self.contact.pk if self.contact else None,
            "subscription_id": self.subscription.pk if self.subscription else None,
            "plan_id": self.plan_id,
            "environment_id": self.environment.pk if self.environment else None,
        }


def _portal_pointer() -> str:
    url = getattr(settings, "SLADESK_PORTAL_URL", "")
    if url:
        return f"please open tickets in the portal at {url}"
    return "please open tickets in the portal"


def _no_subscription_reason(*, organisation: Organisation, day: dt.date) -> Reason:
    """Explain why ``organisation`` has no valid subscription on ``day``."""
    history = list(
        Subscription.objects.filter(organisation=organisation).order_by("starts_on", "id")
    )
    covering = [s for s in history if s.starts_on <= day <= s.ends_on]
    if covering:  # covers the day by dates, so it must have been cancelled
        sub = covering[-1]
        return Reason(
            "subscription_cancelled",
            f"{organisation.name}'s {sub.plan_id} subscription was cancelled from {sub.cancelled_on}",
        )
    past = [s for s in history if s.last_covered_day < day and s.last_covered_day >= s.starts_on]
    future = [s for s in history if s.starts_on > day and s.last_covered_day >= s.starts_on]
    if past:
        last = max(past, key=lambda s: s.last_covered_day)
        upcoming = f"; the next one starts on {future[0].starts_on}" if future else ""
        if last.cancelled_on is not None and last.cancelled_on <= last.ends_on:
            return Reason(
                "subscription_cancelled",
                f"{organisation.name}'s {last.plan_id} subscription was cancelled from {last.cancelled_on}{upcoming}",
            )
        return Reason(
            "subscription_expired",
            f"{organisation.name}'s {last.plan_id} subscription expired on {last.ends_on}{upcoming}",
        )
    if future:
        return Reason(
            "subscription_not_started",
            f"{organisation.name}'s {future[0].plan_id} subscription starts on {future[0].starts_on}",
        )
    return Reason(
        "no_subscription",
        f"{organisation.name} has no subscription; support needs a valid subscription",
    )


def _resolve_organisation(ref: Organisation | int | str) -> Organisation | None:
    if isinstance(ref, Organisation):
        return ref
    try:
        return organisation_find(ref)
    except DeskError:
        return None


class _Unread:
    """Not read yet (None means read, and no such row)."""


UNREAD = _Unread()


def _environment_id(ref: Environment | int | str | None) -> int | None:
    """Return the id of the environment ``ref`` names (an instance is read again as stored now)."""
    if ref is None:
        return None
    text = str(ref.pk if isinstance(ref, Environment) else ref).strip()
    return int(text) if text.isdigit() else None


def request_check(
    *,
    channel: str,
    at: dt.datetime,
    requester_email: str | None = None,
    user: User | AnonymousUser | None = None,
    organisation: Organisation | int | str | None = None,
    environment: Environment | int | str | None = None,
    policy: Policy | None = None,
    user_contact: Contact | None = None,
) -> Decision:
    """Decide whether a request may become a ticket; see the module docstring.

    Give the requester as ``requester_email`` (e-mail, chat) or ``user`` (signed in).
    ``user_contact`` is ``user``'s active contact registration when the caller has just
    looked it up (an API request's principal), so the door need not read it again.
    ``organisation`` defaults to the requester's; ``environment`` is optional. ``at`` must
    be aware.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
    if requester_email is None and user is None:
        raise ValueError("give requester_email or user")
    policy = resolve_policy(policy)
    day = desk_date(at=at, policy=policy)
    reasons: list[Reason] = []
    flags: list[Reason] = []

    # Who is asking.
    contact: Contact | None = None
    email: str | None = None
    is_agent = False
    if user is not None:
        if not user.is_authenticated or user.pk is None or not user.is_active:
            reasons.append(
                Reason(
                    "not_signed_in",
                    "sign in first: only registered contacts may open or reply to tickets",
                )
            )
        else:
            contact = (
                user_contact
                if user_contact is not None and user_contact.user_id == user.pk
                else contact_active_for_user(int(user.pk))
            )
            email = str(getattr(user, "email", "") or user.get_username()).lower()
            is_agent = contact is None and (
                Agent.objects.filter(user_id=user.pk).exists()
                or bool(getattr(user, "is_superuser", False))
            )
    else:
        raw = (requester_email or "").strip()
        try:
            email = normalise_email(raw)
        except DeskError:
            email = None
            reasons.append(Reason("invalid_requester", f"{raw!r} is not an e-mail address"))
        if email is not None:
            contact = contact_active_by_email(email)

    # Which organisation.
    org: Organisation | None = None
    if organisation is not None:
        org = _resolve_organisation(organisation)
        if org is None:
            reasons.append(
                Reason(
                    "unknown_organisation",
                    f"no organisation {str(organisation)!r} is known to the desk",
                )
            )
    elif contact is not None:
        org = contact.organisation
    elif email is not None:
        org = organisation_for_domain(email_domain(email))
        if org is None and not is_agent:
            reasons.append(
                Reason(
                    "unknown_organisation",
                    f"no organisation is registered for {email_domain(email)}; "
                    "support is for customers with a subscription",
                )
            )

    # Is the requester a registered contact of that organisation?
    if is_agent:
        reasons.append(
            Reason(
                "requester_is_agent",
                f"{email} is an agent of the desk; open the request on behalf of a contact (give their e-mail)",
            )
        )
    elif contact is not None and org is not None and contact.organisation_id != org.pk:
        reasons.append(
            Reason(
                "wrong_organisation",
                f"{contact.email} is a contact of {contact.organisation.name}, not of {org.name}",
            )
        )
    elif contact is None and email is not None:
        former = contact_last_by_email(email)
        where = f" of {org.name}" if org is not None else ""
        if former is not None and (org is None or former.organisation_id == org.pk):
            message = f"{email} is no longer a registered contact{where} (removed on {former.removed_at:%Y-%m-%d})"
        else:
            message = f"{email} is not a registered contact{where}"
        reasons.append(
            Reason(
                "not_a_contact",
                message
                + "; only registered contacts may open or reply to tickets (end users are not supported)",
            )
        )

    # A valid subscription on the day, and its plan's entitlements.
    subscription: Subscription | None = None
    plan: Plan | None = None
    # An environment named by its id is read with the subscription (one statement on
    # PostgreSQL, with the release catalogue's fingerprint).
    env_id = _environment_id(environment)
    read_env: Environment | None | _Unread = UNREAD
    fingerprint: str | None = None
    if org is not None:
        if env_id is not None:
            subscription, read_env, fingerprint = subscription_and_environment(
                organisation=org, day=day, environment_id=env_id
            )
        else:
            subscription = subscription_valid_on(organisation=org, day=day)
        if subscription is None:
            reasons.append(_no_subscription_reason(organisation=org, day=day))
        else:
            plan = policy.plans.get(subscription.plan_id)
            if plan is None:
                reasons.append(
                    Reason(
                        "unknown_plan",
                        f"the subscription's plan {subscription.plan_id!r} is not in the policy {policy.version}",
                    )
                )
            else:
                ends_in = (subscription.last_covered_day - day).days
                if ends_in <= SUBSCRIPTION_ENDING_DAYS:
                    flags.append(
                        Reason(
                            "subscription_ending",
                            f"the {plan.id} subscription ends on {subscription.last_covered_day} (in {ends_in} days)",
                        )
                    )
                if plan.entitlements.senior_routing:
                    flags.append(
                        Reason("senior_routing", f"{plan.id}: route to the senior support team")
                    )

    if (
        plan is not None
        and contact is not None
        and org is not None
        and contact.organisation_id == org.pk
        and plan.entitlements.named_contacts_required
        and not contact.named
    ):
        limit = plan.entitlements.named_contact_limit
        reasons.append(
            Reason(
                "not_named_contact",
                f"{contact.email} is not a named contact of {org.name}; {plan.id} requests must come "
                f"from one of its named contacts"
                + (f" (at most {limit})" if limit is not None else ""),
            )
        )

    if channel in AGENT_CHANNELS:
        flags.append(
            Reason("agent_entered", f"entered by an agent through {CHANNEL_NAMES[channel]}")
        )
    elif plan is not None and channel not in plan.entitlements.channels:
        pointer = (
            _portal_pointer()
            if "portal" in plan.entitlements.channels
            else (
                "please use "
                + ", ".join(CHANNEL_NAMES.get(c, c) for c in sorted(plan.entitlements.channels))
            )
        )
        reasons.append(
            Reason(
                "channel_not_in_plan",
                f"{CHANNEL_NAMES[channel][:1].upper()}{CHANNEL_NAMES[channel][1:]} is not part "
                f"of {plan.marketing_name or plan.id}: {pointer}",
            )
        )

    # The environment, if one was named.
    env: Environment | None = None
    release: SupportStatus | None = None
    if environment is not None:
        if env_id is None:
            env = None
        elif isinstance(read_env, _Unread):
            env = environment_by_id(env_id)
        else:
            env = read_env
        if env is None:
            reasons.append(
                Reason(
                    "unknown_environment",
                    f"no environment {str(environment)!r} is known to the desk",
                )
            )
        elif org is not None and env.organisation_id != org.pk:
            reasons.append(
                Reason(
                    "environment_other_organisation",
                    f"environment #{env.pk} does not belong to {org.name}",
                )
            )
            env = None
        elif env.retired_at is not None:
            reasons.append(
                Reason(
                    "environment_retired",
                    f"environment {env.name} was retired on {env.retired_at:%Y-%m-%d}",
                )
            )
        else:
            if not env.is_production:
                flags.append(
                    Reason(
                        "non_production",
                        f"{env.name} is not production: severity {policy.production.non_production_severity} applies",
                    )
                )
            release = release_support(
                version=env.version, on=day, policy=policy, fingerprint=fingerprint
            )
            if release.supported is False:
                flags.append(Reason("unsupported_release", release.message))
            elif release.supported is None:
                flags.append(Reason(release.code, release.message))
            elif (
                release.ends_on is not None and (release.ends_on - day).days <= RELEASE_ENDING_DAYS
            ):
                flags.append(
                    Reason(
                        "release_support_ending",
                        f"{env.name} runs {env.version}, whose extended support ends on {release.ends_on}; "
                        "plan the upgrade",
                    )
                )

    return Decision(
        allowed=not reasons,
        reasons=tuple(reasons),
        flags=tuple(flags),
        channel=channel,
        at=at,
        day=day,
        policy_version=policy.version,
        requester_email=email,
        organisation=org,
        contact=contact,
        subscription=subscription,
        plan_id=plan.id if plan is not None else (subscription.plan_id if subscription else None),
        environment=env,
        release=release,
    )
