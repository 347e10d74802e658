"""Public replies and internal notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction

from sladesk.core.exceptions import Conflict
from sladesk.tickets.models import ClockKind, EventKind, Status, Ticket, TicketMessage
from sladesk.tickets.services.attachments import Upload, attachment_add
from sladesk.tickets.services.clocks import (
    clock_meet,
    clock_resume,
    clock_start,
    current_clocks,
    ticket_due_refresh,
)
from sladesk.tickets.services.common import (
    author_label,
    clean_text,
    event_record,
    now_or,
    participant,
    policy_or,
    require_agent,
    ticket_lock,
)

if TYPE_CHECKING:
    from sladesk.accounts.actor import Actor
    from sladesk.accounts.models import Agent, Contact
    from sladesk.policy import Policy


class TicketClosed(Conflict):
    code = "ticket_closed"


def _refuse_closed(ticket: Ticket) -> None:
    if ticket.status == Status.CLOSED:
        raise TicketClosed(
            f"ticket #{ticket.pk} is closed; open a new ticket and mention #{ticket.pk}",
            details={"ticket": ticket.pk, "suggest": "new_ticket"},
        )


def _message(
    *,
    ticket: Ticket,
    visibility: str,
    kind: str,
    actor: Actor,
    body: str,
    at: dt.datetime,
    profile: Agent | Contact | None = None,
) -> TicketMessage:
    return TicketMessage.objects.create(
        ticket=ticket,
        visibility=visibility,
        author_kind=kind,
        author=actor.user,
        author_label=author_label(actor, profile),
        body=body,
        channel=actor.via,
        created_at=at,
    )


def ticket_reopen_clocks(
    *, ticket: Ticket, at: dt.datetime, policy: Policy, actor: Actor, why: str
) -> None:
    """Start a new resolution cycle for a reopened ticket (the solved one stays in history)."""
    clock_start(
        ticket=ticket, kind=ClockKind.RESOLUTION, start=at, policy=policy, actor=actor, reason=why
    )


def resume_paused(
    *, ticket: Ticket, at: dt.datetime, policy: Policy, actor: Actor, reason: str
) -> None:
    """Resume every paused clock of ``ticket`` at ``at``."""
    for clock in current_clocks(ticket).values():
        if clock.state == "paused":
            clock_resume(clock=clock, at=at, policy=policy, actor=actor, reason=reason)


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    body: str,
    actor: Actor,
    attachments: Sequence[Upload] = (),
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> TicketMessage:
    """Add a public reply by an agent or a contact of the ticket's organisation.

    An agent's reply meets the first-response clock (the first public agent reply) and
    the running next-reply clock, and opens a new ticket. A contact's reply reopens a
    ticket waiting on them; reopens a solved ticket within the policy's reopen window
    (``reopen_window_passed`` after it: open a new ticket); and starts the next-reply
    clock when the policy sets one and none is running. Closed tickets refuse replies.
    """
    now = now_or(now)
    policy = policy_or(policy)
    ticket = ticket_lock(ticket)
    kind, profile = participant(actor, ticket)
    body = clean_text(body, field="body")
    _refuse_closed(ticket)
    before = ticket.status
    fields = ["updated_at", "status", "due_at"]
    if kind == "contact" and ticket.status == Status.SOLVED:
        assert ticket.solved_at is not None
        window = policy.reopen_window
        if now - ticket.solved_at > window:
            raise Conflict(
                f"ticket #{ticket.pk} was solved on {ticket.solved_at:%Y-%m-%d %H:%M} UTC, more than "
                f"{window.total_seconds() / 3600:g} h ago; open a new ticket and mention #{ticket.pk}",
                code="reopen_window_passed",
                details={
                    "ticket": ticket.pk,
                    "suggest": "new_ticket",
                    "solved_at": ticket.solved_at.isoformat(),
                },
            )
    message = _message(
        ticket=ticket,
        visibility=TicketMessage.Visibility.PUBLIC,
        kind=kind,
        actor=actor,
        body=body,
        at=now,
        profile=profile,
    )
    for upload in attachments:
        attachment_add(ticket=ticket, upload=upload, actor=actor, message=message, now=now)
    event_record(
        ticket=ticket,
        kind=EventKind.REPLIED,
        actor=actor,
        at=now,
        data={"message": message.pk, "author": kind, "attachments": len(attachments)},
    )
    clocks = current_clocks(ticket)
    if kind == "agent":
        for clock_kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_REPLY):
            clock = clocks.get(clock_kind)
            if clock is not None and clock.state in ("running", "paused"):
                clock_meet(
                    clock=clock, at=now, policy=policy, actor=actor, by=f"public reply {message.pk}"
                )
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            fields.append("first_responded_at")
        if ticket.status == Status.NEW:
            ticket.status = Status.OPEN
    else:
        clocks_moved = ticket.status in (Status.SOLVED, Status.WAITING_ON_CUSTOMER)
        if ticket.status == Status.SOLVED:
            ticket.status = Status.OPEN
            ticket.solved_at = None
            fields.append("solved_at")
            event_record(
                ticket=ticket,
                kind=EventKind.REOPENED,
                actor=actor,
                at=now,
                data={"reason": "customer replied within the reopen window", "message": message.pk},
            )
            ticket_reopen_clocks(
                ticket=ticket,
                at=now,
                policy=policy,
                actor=actor,
                why="reopened by a customer reply",
            )
        elif ticket.status == Status.WAITING_ON_CUSTOMER:
            ticket.status = Status.OPEN
            resume_paused(
                ticket=ticket, at=now, policy=policy, actor=actor, reason="customer replied"
            )
        if clocks_moved:  # reopened or resumed: read the clocks as they are now
            clocks = current_clocks(ticket)
        first = clocks.get(ClockKind.FIRST_RESPONSE)
        waiting_first = first is not None and first.state in ("running", "paused")
        running_next = clocks.get(ClockKind.NEXT_REPLY)
        if not waiting_first and (
            running_next is None or running_next.state not in ("running", "paused")
        ):
            clock_start(
                ticket=ticket,
                kind=ClockKind.NEXT_REPLY,
                start=now,
                policy=policy,
                actor=actor,
                reason=f"customer message {message.pk}",
            )
    if ticket.status != before:
        event_record(
            ticket=ticket,
            kind=EventKind.STATUS_SET,
            actor=actor,
            at=now,
            data={"from": before, "to": ticket.status, "reason": "reply"},
        )
    ticket.updated_at = now
    ticket_due_refresh(ticket)
    ticket.save(update_fields=fields)
    return message


@transaction.atomic
def ticket_note(
    *,
    ticket: Ticket,
    body: str,
    actor: Actor,
    attachments: Sequence[Upload] = (),
    now: dt.datetime | None = None,
) -> TicketMessage:
    """Add an internal note (agents only; never shown to contacts; no clock changes)."""
    now = now_or(now)
    agent = require_agent(actor, doing="write internal notes")
    ticket = ticket_lock(ticket)
    body = clean_text(body, field="body")
    message = _message(
        ticket=ticket,
        visibility=TicketMessage.Visibility.INTERNAL,
        kind=TicketMessage.AuthorKind.AGENT,
        actor=actor,
        body=body,
        at=now,
        profile=agent,
    )
    for upload in attachments:
        attachment_add(
            ticket=ticket, upload=upload, actor=actor, message=message, internal=True, now=now
        )
    event_record(
        ticket=ticket, kind=EventKind.NOTED, actor=actor, at=now, data={"message": message.pk}
    )
    ticket.updated_at = now
    ticket.save(update_fields=["updated_at"])
    return message
