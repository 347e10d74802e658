"""Agents and teams: agents read; administrators add and change agents."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from sladesk.accounts.access import Can, require, require_scope
from sladesk.accounts.models import Agent, Team
from sladesk.accounts.services import agent_add, agent_update
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.pagination import DEFAULT_LIMIT, paginate
from sladesk.api.schemas import ERRORS, InputSchema, refuse_unknown_query
from sladesk.core.exceptions import NotFound

router = Router(tags=["agents"], auth=token_auth)


class AgentOut(Schema):
    id: int
    email: str
    name: str
    role: str
    teams: list[str]
    active: bool


class AgentPage(Schema):
    items: list[AgentOut]
    next_cursor: str | None


class AgentIn(InputSchema):
    email: str
    name: str
    role: str
    teams: list[str] | None = None  # default: senior engineers join the senior team


class AgentPatch(InputSchema):
    name: str | None = None
    role: str | None = None
    teams: list[str] | None = None
    active: bool | None = None


class TeamOut(Schema):
    slug: str
    name: str
    description: str
    members: int


def agent_out(agent: Agent) -> AgentOut:
    return AgentOut(
        id=agent.pk,
        email=agent.user.email,
        name=agent.name,
        role=agent.role,
        teams=sorted(t.slug for t in agent.teams.all()),
        active=agent.user.is_active,
    )


@router.get("/agents", response={200: AgentPage, **ERRORS})
def list_agents(
    request: HttpRequest, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> AgentPage:
    """List the desk's agents (agents only)."""
    refuse_unknown_query(request, "cursor", "limit")
    require(principal(request), Can.READ_ALL)
    qs = Agent.objects.select_related("user").prefetch_related("teams")
    rows, next_cursor = paginate(qs, cursor=cursor, limit=limit)
    return AgentPage(items=[agent_out(a) for a in rows], next_cursor=next_cursor)


@router.post("/agents", response={201: AgentOut, **ERRORS})
def add_agent(request: HttpRequest, payload: AgentIn) -> Status[AgentOut]:
    """Add an agent (administrators); they sign in after setting a password or with a token."""
    who = principal(request)
    require(who, Can.MANAGE_AGENTS)
    require_scope(who, "write")
    return Status(201, agent_out(agent_add(actor=actor(request), **payload.dict())))


@router.patch("/agents/{agent_id}", response={200: AgentOut, **ERRORS})
def update_agent(request: HttpRequest, agent_id: int, payload: AgentPatch) -> AgentOut:
    """Change an agent's name, role, teams or whether they may sign in (administrators)."""
    who = principal(request)
    require(who, Can.READ_ALL)
    agent = Agent.objects.select_related("user").filter(pk=agent_id).first()
    if agent is None:
        raise NotFound(f"no agent {agent_id}", code="not_found")
    require(who, Can.MANAGE_AGENTS)
    require_scope(who, "write")
    return agent_out(
        agent_update(agent=agent, actor=actor(request), **payload.dict(exclude_unset=True))
    )


@router.get("/teams", response={200: list[TeamOut], **ERRORS})
def list_teams(request: HttpRequest) -> list[TeamOut]:
    """List the teams (agents only)."""
    require(principal(request), Can.READ_ALL)
    return [
        TeamOut(slug=t.slug, name=t.name, description=t.description, members=t.agents.count())
        for t in Team.objects.all()
    ]
