"""Add and change agents (the vendor's support staff) and teams; set passwords."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Agent, Contact, Team
from sladesk.accounts.rules import normalise_email
from sladesk.accounts.services.audit import audit_record, diff
from sladesk.core.exceptions import Conflict, ValidationFailed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SENIOR_TEAM = "senior"
STAFF_ROLES = frozenset({Agent.Role.SUPPORT_MANAGER, Agent.Role.ADMINISTRATOR})


def _role(value: str) -> str:
    clean = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if clean not in Agent.Role.values:
        raise ValidationFailed(
            f"unknown role {value!r} (one of {', '.join(Agent.Role.values)})",
            code="unknown_role",
            details={"role": value, "allowed": list(Agent.Role.values)},
        )
    return clean


def _teams(slugs: Iterable[str]) -> list[Team]:
    wanted = [s.strip().lower() for s in slugs if s.strip()]
    teams = list(Team.objects.filter(slug__in=wanted))
    missing = sorted(set(wanted) - {t.slug for t in teams})
    if missing:
        raise ValidationFailed(
            f"unknown team(s): {', '.join(missing)}",
            code="unknown_team",
            details={"teams": missing},
        )
    return teams


def agent_check(*, email: str, role: str, teams: Iterable[str] | None = None) -> tuple[str, str]:
    """Validate a new agent without writing; return the normalised e-mail and role."""
    address = normalise_email(email)
    clean_role = _role(role)
    if Contact.objects.active().filter(email=address).exists():
        raise Conflict(
            f"{address} is a customer contact; agents and contacts are different people",
            code="email_is_contact",
            details={"email": address},
        )
    users = get_user_model().objects
    if (
        users.filter(username__iexact=address).exists()
        or Agent.objects.filter(user__email__iexact=address).exists()
    ):
        raise Conflict(
            f"{address} already has an account", code="agent_exists", details={"email": address}
        )
    if teams is not None:
        _teams(teams)
    return address, clean_role


def _apply_role(user: User, role: str) -> None:
    """Give managers and administrators the Django admin; administrators everything."""
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = role == Agent.Role.ADMINISTRATOR
    user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def agent_add(
    *,
    email: str,
    name: str,
    role: str,
    actor: Actor,
    teams: Iterable[str] | None = None,
    password: str | None = None,
) -> Agent:
    """Add an agent; senior support engineers join the senior team unless ``teams`` is given."""
    address, clean_role = agent_check(email=email, role=role, teams=teams)
    clean_name = " ".join((name or "").split())
    if not clean_name:
        raise ValidationFailed("an agent needs a name", code="name_required")
    user = get_user_model().objects.create_user(
        username=address, email=address, first_name=clean_name[:150]
    )
    if password:
        _validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
    _apply_role(user, clean_role)
    agent = Agent.objects.create(user=user, name=clean_name, role=clean_role)
    slugs = (
        list(teams)
        if teams is not None
        else ([SENIOR_TEAM] if clean_role == Agent.Role.SENIOR_SUPPORT_ENGINEER else [])
    )
    team_objs = _teams(slugs) if slugs else []
    agent.teams.set(team_objs)
    audit_record(
        actor=actor,
        action="agent.add",
        obj=agent,
        summary=f"added agent {clean_name} <{address}> as {agent.get_role_display()}",
        changes={"email": address, "role": clean_role, "teams": sorted(t.slug for t in team_objs)},
    )
    return agent


@transaction.atomic
def agent_update(
    *,
    agent: Agent,
    actor: Actor,
    name: str | None = None,
    role: str | None = None,
    teams: Iterable[str] | None = None,
    active: bool | None = None,
) -> Agent:
    """Change an agent's name, role, teams or whether they may sign in."""
    agent = Agent.objects.select_related("user").select_for_update().get(pk=agent.pk)
    before = {
        "name": agent.name,
        "role": agent.role,
        "teams": sorted(agent.teams.values_list("slug", flat=True)),
        "active": agent.user.is_active,
    }
    after = dict(before)
    if name is not None:
        after["name"] = " ".join(name.split()) or agent.name
    if role is not None:
        after["role"] = _role(role)
    if teams is not None:
        after["teams"] = sorted(t.slug for t in _teams(teams))
    if active is not None:
        after["active"] = active
    changes = diff(before, after)
    if not changes:
        return agent
    agent.name, agent.role = str(after["name"]), str(after["role"])
    agent.save(update_fields=["name", "role"])
    if "teams" in changes:
        agent.teams.set(_teams(list(after["teams"])))  # type: ignore[call-overload]
    user = agent.user
    user.first_name = agent.name[:150]
    user.is_active = bool(after["active"])
    user.save(update_fields=["first_name", "is_active"])
    _apply_role(user, agent.role)
    audit_record(
        actor=actor,
        action="agent.update",
        obj=agent,
        summary=f"changed {', '.join(sorted(changes))} of agent {user.get_username()}",
        changes=changes,
    )
    return agent


@transaction.atomic
def team_create(*, name: str, actor: Actor, slug: str = "", description: str = "") -> Team:
    """Create a team of agents."""
    clean_name = " ".join((name or "").split())
    clean_slug = slugify(slug or clean_name)
    if not clean_name or not clean_slug:
        raise ValidationFailed("a team needs a name", code="name_required")
    if Team.objects.filter(slug=clean_slug).exists():
        raise Conflict(f"a team {clean_slug!r} already exists", code="team_exists")
    team = Team.objects.create(slug=clean_slug, name=clean_name, description=description)
    audit_record(actor=actor, action="team.create", obj=team, summary=f"created team {clean_name}")
    return team


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password") from None


@transaction.atomic
def user_password_set(*, user: User, password: str, actor: Actor) -> None:
    """Set a user's password (validated by the configured password validators)."""
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="user.password_set",
        obj=user,
        summary=f"set the password of {user.get_username()}",
    )


@transaction.atomic
def team_update(
    *, team: Team, actor: Actor, name: str | None = None, description: str | None = None
) -> Team:
    """Change a team's name or description (its slug stays)."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = {"name": team.name, "description": team.description}
    after = {
        "name": " ".join(name.split()) if name is not None else team.name,
        "description": description if description is not None else team.description,
    }
    if not after["name"]:
        raise ValidationFailed("a team needs a name", code="name_required")
    changes = diff(before, after)
    if changes:
        team.name, team.description = after["name"], after["description"]
        team.save(update_fields=["name", "description"])
        audit_record(
            actor=actor,
            action="team.update",
            obj=team,
            summary=f"changed team {team.slug}",
            changes=changes,
        )
    return team
