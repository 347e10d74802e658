"""The caller: who the token belongs to, their profile, and what the door says about them."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from sladesk.accounts.access import Principal, principal_for, require_scope
from sladesk.accounts.door import CHANNELS, request_check
from sladesk.accounts.models import Agent
from sladesk.accounts.services import agent_update, contact_update
from sladesk.api.apis.door import DecisionOut, decision_out
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.schemas import ERRORS, InputSchema, refuse_unknown_query
from sladesk.core import time
from sladesk.core.exceptions import ValidationFailed

router = Router(tags=["me"], auth=token_auth)


class MeOut(Schema):
    kind: str  # "agent" or "contact"
    email: str
    name: str
    role: str | None  # agents: their role
    organisation_id: int | None  # contacts: their organisation
    contact_id: int | None
    named: bool | None
    scopes: list[str]


class ProfilePatch(InputSchema):
    name: str | None = None
    phone: str | None = None  # contacts
    role: str | None = None  # contacts: their role at the organisation


def _me(who: Principal) -> MeOut:
    contact = who.contact
    if contact is not None:
        return MeOut(
            kind="contact",
            email=contact.email,
            name=contact.name,
            role=None,
            organisation_id=contact.organisation_id,
            contact_id=contact.pk,
            named=contact.named,
            scopes=sorted(who.scopes),
        )
    agent = Agent.objects.filter(user=who.user).first()
    return MeOut(
        kind="agent",
        email=who.user.email or who.user.get_username(),
        name=agent.name if agent else who.user.get_full_name(),
        role=who.role,
        organisation_id=None,
        contact_id=None,
        named=None,
        scopes=sorted(who.scopes),
    )


@router.get("/me", response={200: MeOut, **ERRORS})
def get_me(request: HttpRequest) -> MeOut:
    """Say who the token belongs to."""
    return _me(principal(request))


@router.patch("/me", response={200: MeOut, **ERRORS})
def update_me(request: HttpRequest, payload: ProfilePatch) -> MeOut:
    """Change your own profile: a contact their name, phone and role; an agent their name."""
    who = principal(request)
    require_scope(who, "write")
    changes = payload.dict(exclude_unset=True)
    if who.contact is not None:
        contact_update(contact=who.contact, actor=actor(request), **changes)
    else:
        extra = sorted(set(changes) - {"name"})
        if extra:
            raise ValidationFailed(
                f"agents can change only their name here, not {', '.join(extra)}",
                code="invalid_input",
            )
        agent = Agent.objects.filter(user=who.user).first()
        if agent is not None and "name" in changes:
            agent_update(agent=agent, actor=actor(request), name=changes["name"])
    refreshed = principal_for(who.user, token=who.token)
    return _me(refreshed if refreshed is not None else who)


@router.get("/me/eligibility", response={200: DecisionOut, **ERRORS})
def my_eligibility(
    request: HttpRequest, channel: str = "api", environment_id: int | None = None
) -> DecisionOut:
    """Ask the door whether you may open a request now (and why not)."""
    refuse_unknown_query(request, "channel", "environment_id")
    if channel not in CHANNELS:
        raise ValidationFailed(
            f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})", code="invalid_input"
        )
    who = principal(request)
    decision = request_check(
        channel=channel, at=time.now(), user=who.user, environment=environment_id
    )
    return decision_out(decision, for_contact=who.contact is not None)
