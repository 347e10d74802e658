"""Build accounts data through the real services (never by writing rows directly)."""

from __future__ import annotations

import datetime as dt
import itertools

from sladesk.accounts.actor import Actor
from sladesk.accounts.services import (
    EnvironmentInput,
    agent_add,
    api_token_create,
    contact_add,
    environment_add,
    organisation_create,
    subscription_add,
)

# Wednesday 25 November 2026, 10:00 in Los Angeles (the policy's zone): an ordinary day.
NOW = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)
# The default term covers NOW (tests that pass now=NOW) and the real today (the API and
# the CLI, which ask the clock), so the suite does not rot as the calendar moves on.
_REAL_TODAY = dt.datetime.now(dt.UTC).date()
TERM_START = min(TODAY, _REAL_TODAY) - dt.timedelta(days=200)
TERM_END = max(TODAY, _REAL_TODAY) + dt.timedelta(days=200)
CLI = Actor.cli()
_counter = itertools.count(1)


def make_org(
    name: str = "", *, domains: list[str] | None = None, plan: str | None = "enterprise", **sub
):
    """Create an organisation (and, unless ``plan=None``, a subscription valid today)."""
    n = next(_counter)
    name = name or f"Customer {n}"
    slug = name.lower().split()[0] if name else f"customer-{n}"
    org = organisation_create(name=name, domains=domains or [f"{slug}{n}.example"], actor=CLI)
    if plan is not None:
        subscription_add(
            organisation=org,
            plan_id=plan,
            starts_on=sub.get("starts_on", TERM_START),
            ends_on=sub.get("ends_on", TERM_END),
            actor=CLI,
        )
    return org


def domain_of(org) -> str:
    return org.domains.order_by("domain").first().domain


def make_contact(org, local: str = "", *, named: bool | None = None, name: str = "", **kwargs):
    n = next(_counter)
    local = local or f"person{n}"
    return contact_add(
        organisation=org,
        email=f"{local}@{domain_of(org)}",
        name=name or local.replace(".", " ").title(),
        named=named,
        actor=CLI,
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def make_env(org, name: str = "", *, production: bool = True, version: str = "11.10.2", **fields):
    n = next(_counter)
    return environment_add(
        organisation=org,
        data=EnvironmentInput(
            name=name or f"env {n}", is_production=production, version=version, **fields
        ),
        actor=CLI,
        now=NOW,
    )


def make_agent(role: str = "support_engineer", email: str = "", **kwargs):
    n = next(_counter)
    return agent_add(
        email=email or f"agent{n}@sladesk.example",
        name=kwargs.pop("name", f"Agent {n}"),
        role=role,
        actor=CLI,
        **kwargs,
    )


def make_token(user, *scopes: str) -> str:
    """Return a new API token secret for ``user`` (default scope: read)."""
    _, secret = api_token_create(user=user, scopes=scopes or ("read",), actor=CLI)
    return secret
