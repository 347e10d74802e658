"""Agents' changes to a ticket: severity, status, assignee; and agents' availability."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from sladesk.accounts.models import Agent, Team
from sladesk.accounts.services import audit_record
from sladesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from sladesk.tickets.models import AgentAvailability, ClockKind, EventKind, Status, Ticket
from sladesk.tickets.services.clocks import (
    RETARGET_RULE,
    clock_meet,
    clock_pause,
    clock_retarget,
    clock_stop,
    current_clocks,
    ticket_due_refresh,
)
from sladesk.tickets.services.common import (
    clean_text,
    event_record,
    now_or,
    participant,
    policy_or,
    require_agent,
    severity_check,
    ticket_lock,
)
from sladesk.tickets.services.conversation import (
    _refuse_closed,
    resume_paused,
    ticket_reopen_clocks,
)

if TYPE_CHECKING:
    from sladesk.accounts.actor import Actor
    from sladesk.policy import Policy

#: The status machine: where each status may go by an agent's change (docs/tickets.md).
#: Replies move tickets too: an agent's first reply opens a new ticket; a customer's
#: reply reopens one waiting on them, or one solved within the reopen window.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_ENGINEERING, Status.SOLVED}
    ),
    Status.OPEN: frozenset(
        {Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_ENGINEERING, Status.SOLVED}
    ),
    Status.WAITING_ON_CUSTOMER: frozenset(
        {Status.OPEN, Status.WAITING_ON_ENGINEERING, Status.SOLVED}
    ),
    Status.WAITING_ON_ENGINEERING: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.SOLVED}
    ),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


@transaction.atomic
def ticket_severity_set(
    *,
    ticket: Ticket,
    severity: str,
    reason: str,
    actor: Actor,
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Ticket:
    """Change the severity (agents only, with a reason) and re-target the clocks.

    Re-target rule ``reapply_from_start`` (see ``clock_retarget``): running and paused
    clocks take the new level's target counted from their original start; met,
    stopped and already breached clocks keep theirs. A non-production ticket may leave
    the policy's non-production level only if the policy lets agents override it. The
    change is in the ticket's ledger and in the audit log.
    """
    now = now_or(now)
    policy = policy_or(policy)
    require_agent(actor, doing="change a ticket's severity")
    reason = clean_text(reason, field="reason")
    severity_check(policy, severity)
    ticket = ticket_lock(ticket)
    _refuse_closed(ticket)
    if severity == ticket.severity:
        raise Conflict(f"ticket #{ticket.pk} is already {severity}", code="severity_unchanged")
    forced = policy.production.non_production_severity
    if not ticket.is_production and severity != forced and not policy.production.agent_may_override:
        raise ValidationFailed(
            f"ticket #{ticket.pk} concerns a non-production environment: the policy keeps it at {forced}",
            code="non_production_locked",
        )
    before = ticket.severity
    outcomes = [
        clock_retarget(clock=clock, severity=severity, at=now, policy=policy, actor=actor)
        for clock in current_clocks(ticket).values()
    ]
    ticket.severity = severity
    ticket.severity_rank = policy.severities[severity].rank
    override = not ticket.is_production and before == forced
    ticket.severity_reason = (
        f"set by an agent ({'non-production override' if override else 'changed'}): {reason}"
    )
    ticket.updated_at = now
    ticket_due_refresh(ticket)
    ticket.save(
        update_fields=["severity", "severity_rank", "severity_reason", "updated_at", "due_at"]
    )
    data = {
        "from": before,
        "to": severity,
        "reason": reason,
        "rule": RETARGET_RULE,
        "non_production_override": override,
        "policy_version": policy.version,
        "clocks": outcomes,
    }
    event_record(ticket=ticket, kind=EventKind.SEVERITY_SET, actor=actor, at=now, data=data)
    audit_record(
        actor=actor,
        action="ticket.severity_set",
        obj=ticket,
        organisation=ticket.organisation,
        summary=f"changed the severity of ticket #{ticket.pk} from {before} to {severity}: {reason}",
        changes={"severity": [before, severity], "reason": reason, "rule": RETARGET_RULE},
        at=now,
    )
    return ticket


@transaction.atomic
def ticket_status_set(
    *,
    ticket: Ticket,
    status: str,
    actor: Actor,
    reason: str = "",
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Ticket:
    """Move the ticket to ``status`` if the status machine allows it.

    Agents make any allowed change; a contact of the ticket's organisation may only mark
    it solved (their problem is gone); anyone else is refused.

    Waiting on customer pauses the clocks the policy lists (``[sla]
    waiting_on_customer_pauses``; never first response) and leaving it resumes them.
    Solved meets the resolution clock and stops the others; reopening (solved to open)
    starts a new resolution cycle; closed is final.
    """
    now = now_or(now)
    policy = policy_or(policy)
    if status not in Status.values:
        raise ValidationFailed(
            f"unknown status {status!r} (one of {', '.join(Status.values)})", code="unknown_status"
        )
    ticket = ticket_lock(ticket)
    role, _ = participant(actor, ticket)
    if role == "contact" and status != Status.SOLVED:
        raise PermissionDenied(
            "customers may mark their ticket solved; other status changes are the support "
            "team's (reply instead, and the ticket reopens)",
            code="contacts_may_only_solve",
        )
    if role == "contact" and not reason:
        reason = "marked solved by the customer"
    before = ticket.status
    if status == before:
        raise Conflict(
            f"ticket #{ticket.pk} is already {Status(status).label}", code="status_unchanged"
        )
    allowed = TRANSITIONS[Status(before)]
    if status not in allowed:
        where = ", ".join(Status(s).label for s in sorted(allowed)) or "nowhere (closed is final)"
        raise Conflict(
            f"a {Status(before).label} ticket cannot become {Status(status).label}; it may go to {where}",
            code="invalid_transition",
            details={"from": before, "to": status, "allowed": sorted(allowed)},
        )
    fields = ["status", "updated_at", "due_at"]
    clocks = current_clocks(ticket)
    if before == Status.WAITING_ON_CUSTOMER:
        resume_paused(ticket=ticket, at=now, policy=policy, actor=actor, reason=f"status {status}")
        clocks = current_clocks(ticket)
    if status == Status.WAITING_ON_CUSTOMER:
        for kind in sorted(policy.waiting_on_customer_pauses):
            clock = clocks.get(kind)
            if clock is not None and clock.state == "running" and kind != ClockKind.FIRST_RESPONSE:
                clock_pause(
                    clock=clock, at=now, policy=policy, actor=actor, reason="waiting on customer"
                )
    elif status == Status.SOLVED:
        ticket.solved_at = now
        fields.append("solved_at")
        for clock in clocks.values():
            if clock.state not in ("running", "paused"):
                continue
            if clock.kind == ClockKind.RESOLUTION:
                clock_meet(clock=clock, at=now, policy=policy, actor=actor, by="solved")
            else:
                clock_stop(clock=clock, at=now, policy=policy, actor=actor, reason="solved")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
        for clock in clocks.values():
            if clock.state in ("running", "paused"):
                clock_stop(clock=clock, at=now, policy=policy, actor=actor, reason="closed")
    elif before == Status.SOLVED and status == Status.OPEN:
        ticket.solved_at = None
        fields.append("solved_at")
        event_record(
            ticket=ticket,
            kind=EventKind.REOPENED,
            actor=actor,
            at=now,
            data={"reason": reason or "reopened by an agent"},
        )
        ticket_reopen_clocks(
            ticket=ticket, at=now, policy=policy, actor=actor, why="reopened by an agent"
        )
    ticket.status = status
    ticket.updated_at = now
    ticket_due_refresh(ticket)
    ticket.save(update_fields=fields)
    event_record(
        ticket=ticket,
        kind=EventKind.STATUS_SET,
        actor=actor,
        at=now,
        data={"from": before, "to": status, "reason": reason},
    )
    return ticket


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    agent: Agent | None,
    actor: Actor,
    team: Team | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Ticket:
    """Assign the ticket to ``agent`` (None unassigns), optionally moving it to ``team``.

    The agent must belong to the ticket's team (after the move), and be active.
    """
    now = now_or(now)
    require_agent(actor, doing="assign tickets")
    ticket = ticket_lock(ticket)
    _refuse_closed(ticket)
    new_team = team if team is not None else ticket.team
    if agent is not None:
        if not agent.user.is_active:
            raise ValidationFailed(f"{agent.name} is deactivated", code="agent_inactive")
        if new_team is not None and not agent.teams.filter(pk=new_team.pk).exists():
            raise ValidationFailed(
                f"{agent.name} is not in the {new_team.name}; move the ticket to one of their teams",
                code="agent_not_in_team",
                details={"team": new_team.slug},
            )
    if agent == ticket.assignee and new_team == ticket.team:
        raise Conflict(f"ticket #{ticket.pk} is already assigned so", code="assignment_unchanged")
    before = {"team": ticket.team.slug if ticket.team else None, "assignee": ticket.assignee_id}
    ticket.team = new_team
    ticket.assignee = agent
    ticket.updated_at = now
    ticket.save(update_fields=["team", "assignee", "updated_at"])
    event_record(
        ticket=ticket,
        kind=EventKind.ASSIGNED,
        actor=actor,
        at=now,
        data={
            "from": before,
            "team": new_team.slug if new_team else None,
            "assignee": agent.pk if agent else None,
            "assignee_name": agent.name if agent else None,
            "reason": reason or "assigned by an agent",
        },
    )
    return ticket


@transaction.atomic
def agent_availability_set(
    *, agent: Agent, on_shift: bool, actor: Actor, now: dt.datetime | None = None
) -> AgentAvailability:
    """Put an agent on or off shift: only agents on shift receive new tickets (round robin)."""
    now = now_or(now)
    availability, _ = AgentAvailability.objects.select_for_update().get_or_create(
        agent=agent, defaults={"on_shift": on_shift, "changed_at": now}
    )
    if availability.on_shift != on_shift or availability.changed_at != now:
        availability.on_shift = on_shift
        availability.changed_at = now
        availability.save(update_fields=["on_shift", "changed_at"])
    audit_record(
        actor=actor,
        action="agent.shift",
        obj=agent,
        summary=f"{agent.name} is {'on' if on_shift else 'off'} shift",
        changes={"on_shift": on_shift},
        at=now,
    )
    return availability
