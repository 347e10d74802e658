"""Opening a ticket: the door, the entitlement snapshot, triage, routing and the first clocks.

Every channel (portal, e-mail, API, CLI, chat) opens tickets through ``ticket_open``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.door import Decision, request_check
from sladesk.accounts.models import Agent, Environment, Organisation, Team
from sladesk.core.exceptions import ValidationFailed
from sladesk.tickets import triage
from sladesk.tickets.models import (
    Category,
    Channel,
    ClockKind,
    EventKind,
    Status,
    TeamRotation,
    Ticket,
    TicketMessage,
)
from sladesk.tickets.services.attachments import Upload, attachment_add
from sladesk.tickets.services.clocks import clock_start, ticket_due_refresh
from sladesk.tickets.services.common import (
    clean_text,
    event_record,
    now_or,
    policy_or,
    severity_check,
)

if TYPE_CHECKING:
    from sladesk.policy import Policy

SENIOR_TEAM = "senior"
DEFAULT_TEAM = "support"
SUBJECT_LIMIT = 300
#: Door flags the customer is told about too; the others are for agents only.
DOOR_FLAGS_FOR_EVERYONE = frozenset(
    {"non_production", "unsupported_release", "release_support_ending"}
)


def category_check(category: str) -> str:
    if category not in Category.values:
        raise ValidationFailed(
            f"unknown category {category!r} (one of {', '.join(Category.values)})",
            code="unknown_category",
            details={"category": category, "known": list(Category.values)},
        )
    return category


def default_team_slug() -> str:
    """Return the team non-senior tickets go to (setting ``SLADESK_DEFAULT_TEAM``, "support")."""
    return str(getattr(settings, "SLADESK_DEFAULT_TEAM", DEFAULT_TEAM))


def next_agent_on_shift(team: Team) -> Agent | None:
    """Return the team's next agent on shift in round-robin order, and move the rotation.

    Agents on shift (``AgentAvailability.on_shift``, active users) are taken in id order,
    starting after the last one who received a ticket in this team, wrapping around.
    The team's rotation row is locked, so concurrent intakes do not pick the same agent.
    """
    TeamRotation.objects.get_or_create(team=team)
    rotation = TeamRotation.objects.select_for_update().get(team=team)
    agents = list(
        Agent.objects.filter(
            teams=team, availability__on_shift=True, user__is_active=True
        ).order_by("pk")
    )
    if not agents:
        return None
    last = rotation.last_agent_id
    chosen = next((a for a in agents if last is None or a.pk > last), agents[0])
    rotation.last_agent = chosen
    rotation.save(update_fields=["last_agent"])
    return chosen


def _route(*, policy: Policy, plan_id: str) -> tuple[Team | None, str]:
    """Return the team for a new ticket of ``plan_id`` and why."""
    plan = policy.plans.get(plan_id)
    if plan is not None and plan.entitlements.senior_routing:
        slug, why = SENIOR_TEAM, f"{plan_id}: direct access to the senior support team"
    else:
        slug, why = default_team_slug(), "default team"
    return Team.objects.filter(slug=slug).first(), why


def _door_flags(decision: Decision) -> list[dict[str, Any]]:
    flags = []
    for reason in decision.flags:
        if reason.code == "unsupported_release":
            continue  # becomes the scope flag with the contract's reason
        audience = triage.EVERYONE if reason.code in DOOR_FLAGS_FOR_EVERYONE else triage.AGENTS
        flags.append(
            triage.Flag(
                code=reason.code,
                title=reason.code.replace("_", " "),
                message=reason.message,
                audience=audience,
            ).as_dict()
        )
    return flags


@transaction.atomic
def ticket_open(
    *,
    channel: str,
    subject: str,
    description: str,
    severity: str,
    category: str,
    actor: Actor,
    requester_email: str | None = None,
    organisation: Organisation | int | str | None = None,
    environment: Environment | int | str | None = None,
    attachments: Sequence[Upload] = (),
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Ticket:
    """Open a ticket after the door lets the request in; return it.

    The requester is ``requester_email`` (e-mail, chat, an agent typing for a contact)
    or else the signed-in contact behind ``actor``. Refusals are the door's
    ``RequestRefused`` with its reason codes. Then: snapshot the entitlement (plan,
    policy version, production flag, server version), triage (non-production forces
    the policy's level with the reason; a suggested level; scope flags), route (Premier
    to the senior team, round-robin among agents on shift) and start the clocks.
    """
    now = now_or(now)
    policy = policy_or(policy)
    if channel not in Channel.values:
        raise ValidationFailed(
            f"unknown channel {channel!r} (one of {', '.join(Channel.values)})",
            code="unknown_channel",
        )
    subject = " ".join(clean_text(subject, field="subject", limit=SUBJECT_LIMIT).split())
    description = clean_text(description, field="description")
    severity_check(policy, severity)
    category_check(category)
    if requester_email is None and actor.user is None:
        raise ValidationFailed("give the requester's e-mail address", code="requester_required")

    decision = request_check(
        channel=channel,
        at=now,
        requester_email=requester_email,
        user=actor.user if requester_email is None else None,
        organisation=organisation,
        environment=environment,
        policy=policy,
    )
    decision.raise_if_refused()
    assert decision.organisation is not None and decision.contact is not None
    plan_id = decision.plan_id or ""
    env = decision.environment
    production = env.is_production if env is not None else True

    # Triage: the production rule first (policy, "Severity levels"), then a suggestion.
    effective = severity
    severity_reason = "as requested"
    if not production:
        effective = policy.production.non_production_severity
        assert env is not None
        severity_reason = (
            f"requested {severity}; {env.name} is not production, so the ticket is {effective} "
            f'(policy, "Severity levels")'
        )
    text = f"{subject}\n{description}"
    suggestion = triage.suggest_severity(policy, text=text)
    flags = _door_flags(decision)
    if env is None:
        flags.append(
            triage.Flag(
                code="environment_unknown",
                title="environment unknown",
                message="no environment named: treated as production until an agent knows better",
                audience=triage.AGENTS,
            ).as_dict()
        )
    flags += [
        f.as_dict()
        for f in triage.scope_flags(
            policy,
            subject=subject,
            description=description,
            category=category,
            attachment_names=[u.filename for u in attachments],
            door_flags=[(r.code, r.message) for r in decision.flags],
        )
    ]
    team, route_reason = _route(policy=policy, plan_id=plan_id)

    ticket = Ticket.objects.create(
        organisation=decision.organisation,
        environment=env,
        requester=decision.contact,
        subscription=decision.subscription,
        subject=subject,
        description=description,
        category=category,
        severity=effective,
        severity_rank=policy.severities[effective].rank,
        requested_severity=severity,
        severity_reason=severity_reason,
        suggested_severity=suggestion.severity if suggestion else "",
        suggestion_reason=suggestion.reason if suggestion else "",
        status=Status.NEW,
        channel=channel,
        team=team,
        plan_id=plan_id,
        policy_version=decision.policy_version,
        is_production=production,
        server_version=env.version if env is not None else "",
        flags=flags,
        opened_at=now,
        updated_at=now,
    )
    message = TicketMessage.objects.create(
        ticket=ticket,
        visibility=TicketMessage.Visibility.PUBLIC,
        author_kind=TicketMessage.AuthorKind.CONTACT,
        author=decision.contact.user,
        author_label=f"{decision.contact.name} <{decision.contact.email}>",
        body=description,
        channel=channel,
        created_at=now,
    )
    event_record(
        ticket=ticket,
        kind=EventKind.OPENED,
        actor=actor,
        at=now,
        data={
            "channel": channel,
            "requester": decision.contact.email,
            "plan": plan_id,
            "policy_version": decision.policy_version,
            "production": production,
            "environment": env.pk if env is not None else None,
            "server_version": ticket.server_version,
            "door_flags": [f.as_dict() for f in decision.flags],
        },
    )
    event_record(
        ticket=ticket,
        kind=EventKind.TRIAGED,
        actor=actor,
        at=now,
        data={
            "requested_severity": severity,
            "severity": effective,
            "reason": severity_reason,
            "suggested_severity": ticket.suggested_severity,
            "suggestion_reason": ticket.suggestion_reason,
            "flags": flags,
        },
    )
    # Files sent with the request are the requester's, whoever typed it in.
    requester = Actor(user=decision.contact.user, via=actor.via, label=message.author_label)
    for upload in attachments:
        attachment_add(ticket=ticket, upload=upload, actor=requester, message=message, now=now)

    clock_start(
        ticket=ticket,
        kind=ClockKind.FIRST_RESPONSE,
        start=now,
        policy=policy,
        actor=actor,
        reason="opened",
    )
    clock_start(
        ticket=ticket,
        kind=ClockKind.RESOLUTION,
        start=now,
        policy=policy,
        actor=actor,
        reason="opened",
    )
    ticket_due_refresh(ticket)

    assignee = next_agent_on_shift(team) if team is not None else None
    ticket.assignee = assignee
    ticket.save(update_fields=["due_at", "assignee"])
    event_record(
        ticket=ticket,
        kind=EventKind.ASSIGNED,
        actor=actor,
        at=now,
        data={
            "team": team.slug if team else None,
            "assignee": assignee.pk if assignee else None,
            "assignee_name": assignee.name if assignee else None,
            "reason": f"{route_reason}; "
            + (
                "round robin among agents on shift"
                if assignee
                else "no agent of the team is on shift"
            ),
        },
    )
    return ticket
