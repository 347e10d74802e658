"""Seed the demo desk (``sladesk demo``, run by ``make run``) through the real services.

One organisation per plan with its contacts (Premier: three named contacts) and
environments (one on an unsupported release, so the agent flag shows), an agent of every
role and the release catalogue. Every demo login uses ``DEMO_PASSWORD``. Running it again
changes nothing and says "already present".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Agent, Organisation
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.services import (
    EnvironmentInput,
    agent_add,
    contact_add,
    environment_add,
    organisation_create,
    release_catalogue_load,
    release_file_parse,
    subscription_add,
    user_password_set,
)
from sladesk.accounts.services.releases import shipped_catalogue_path
from sladesk.core import time

DEMO_PASSWORD = "demo-sladesk-2026"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    role: str
    organisation: str  # "" for agents


@dataclass(slots=True)
class DemoResult:
    """What ``seed_demo`` did, and the logins to print."""

    created: bool
    logins: list[DemoLogin]
    password: str = DEMO_PASSWORD
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Person:
    local: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class _Org:
    slug: str
    name: str
    domain: str
    time_zone: str
    plan: str
    people: tuple[_Person, ...]
    environments: tuple[EnvironmentInput, ...]


ORGANISATIONS = (
    _Org(
        slug="northwind",
        name="Northwind Traders",
        domain="northwind.example",
        time_zone="America/Chicago",
        plan="professional",
        people=(
            _Person("priya.patel", "Priya Patel", "IT administrator"),
            _Person("tom.becker", "Tom Becker", "Systems engineer"),
        ),
        environments=(
            EnvironmentInput(
                name="Northwind chat",
                is_production=True,
                version="11.10.2",
                edition="professional",
                database_version="16.4",
                os="Ubuntu 24.04",
                deployment_type="package",
                user_count=240,
            ),
        ),
    ),
    _Org(
        slug="globex",
        name="Globex Corporation",
        domain="globex.example",
        time_zone="Europe/Berlin",
        plan="enterprise",
        people=(
            _Person("hans.mueller", "Hans Müller", "Head of IT operations"),
            _Person("aiko.tanaka", "Aiko Tanaka", "Platform engineer"),
        ),
        environments=(
            EnvironmentInput(
                name="Globex legacy chat",
                is_production=True,
                version="9.5.2",
                database_version="13.14",
                os="RHEL 8",
                deployment_type="docker",
                user_count=1900,
                notes="Upgrade planned; still on an old ESR.",
            ),
            EnvironmentInput(
                name="Globex staging",
                is_production=False,
                version="11.7.9",
                database_version="16.4",
                os="RHEL 9",
                deployment_type="docker",
                user_count=25,
            ),
        ),
    ),
    _Org(
        slug="acme",
        name="Acme Corporation",
        domain="acme.example",
        time_zone="America/New_York",
        plan="premier",
        people=(
            _Person("maria.garcia", "Maria Garcia", "Director of collaboration platforms"),
            _Person("james.wilson", "James Wilson", "Site reliability engineer"),
            _Person("li.wei", "Li Wei", "Mattermost administrator"),
        ),
        environments=(
            EnvironmentInput(
                name="Acme production",
                is_production=True,
                version="11.7.9",
                edition="enterprise_advanced",
                database_version="16.4",
                os="Ubuntu 24.04",
                deployment_type="kubernetes",
                cluster_size=3,
                user_count=4800,
            ),
            EnvironmentInput(
                name="Acme staging",
                is_production=False,
                version="11.10.2",
                edition="enterprise_advanced",
                database_version="16.4",
                os="Ubuntu 24.04",
                deployment_type="kubernetes",
                cluster_size=2,
                user_count=60,
            ),
            EnvironmentInput(
                name="Acme upgrade test",
                is_production=False,
                version="11.10.2",
                edition="enterprise_advanced",
                database_version="16.4",
                os="Ubuntu 24.04",
                deployment_type="docker",
                user_count=10,
            ),
        ),
    ),
)

#: email, name, role, teams (None: the role's default; senior engineers join "senior").
AGENTS: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("engineer@sladesk.example", "Sam Okafor", Agent.Role.SUPPORT_ENGINEER, ("support",)),
    ("senior@sladesk.example", "Sasha Novak", Agent.Role.SENIOR_SUPPORT_ENGINEER, None),
    ("manager@sladesk.example", "Morgan Lee", Agent.Role.SUPPORT_MANAGER, None),
    ("admin@sladesk.example", "Ada Byrne", Agent.Role.ADMINISTRATOR, None),
)


def _say(stdout: TextIO | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


@transaction.atomic
def seed_demo(*, stdout: TextIO | None = None, now: dt.datetime | None = None) -> DemoResult:
    """Create the demo data that is missing; return every demo login."""
    now = now or time.now()
    actor = Actor.demo()
    policy = current_policy()
    today = desk_date(at=now, policy=policy)
    users = get_user_model().objects
    created_any = False
    logins: list[DemoLogin] = []

    result = release_catalogue_load(
        specs=release_file_parse(shipped_catalogue_path()),
        actor=actor,
        source="the shipped catalogue",
    )
    if result.added or result.updated:
        created_any = True
        _say(stdout, f"Release catalogue: {result.describe()}.")

    # A one-year term that started half a year ago: valid today, renewal months away.
    starts_on = today - dt.timedelta(days=182)
    ends_on = starts_on.replace(year=starts_on.year + 1) - dt.timedelta(days=1)
    for spec in ORGANISATIONS:
        emails = [f"{p.local}@{spec.domain}" for p in spec.people]
        kind = (
            "named contact"
            if policy.plans[spec.plan].entitlements.named_contacts_required
            else "contact"
        )
        logins.extend(DemoLogin(e, kind, spec.name) for e in emails)
        if Organisation.objects.filter(slug=spec.slug).exists():
            _say(stdout, f"{spec.name}: already present.")
            continue
        created_any = True
        organisation = organisation_create(
            name=spec.name,
            slug=spec.slug,
            domains=[spec.domain],
            time_zone=spec.time_zone,
            actor=actor,
        )
        subscription_add(
            organisation=organisation,
            plan_id=spec.plan,
            starts_on=starts_on,
            ends_on=ends_on,
            actor=actor,
            policy=policy,
            notes="demo",
        )
        for person, email in zip(spec.people, emails, strict=True):
            contact = contact_add(
                organisation=organisation,
                email=email,
                name=person.name,
                role=person.role,
                actor=actor,
                now=now,
            )
            user_password_set(user=contact.user, password=DEMO_PASSWORD, actor=actor)
        for env in spec.environments:
            environment_add(
                organisation=organisation, data=env, actor=actor, now=now, policy=policy
            )
        _say(
            stdout,
            f"{spec.name}: created ({spec.plan} until {ends_on}, {len(spec.people)} {kind}s).",
        )

    for email, name, role, teams in AGENTS:
        logins.append(DemoLogin(email, str(Agent.Role(role).label), ""))
        if users.filter(username=email).exists():
            _say(stdout, f"Agent {email}: already present.")
            continue
        created_any = True
        agent_add(
            email=email, name=name, role=role, teams=teams, password=DEMO_PASSWORD, actor=actor
        )
        _say(stdout, f"Agent {email} ({Agent.Role(role).label}): created.")

    if not created_any:
        _say(stdout, "Demo data already present; nothing changed.")
    return DemoResult(created=created_any, logins=logins)
