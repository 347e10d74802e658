"""Messages the desk itself writes on a ticket (author "sladesk")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.tickets.models import EventKind, Ticket, TicketMessage
from sladesk.tickets.services.common import clean_text, event_record, now_or, ticket_lock

#: The author label of system messages, as threads and the API show it.
SYSTEM_AUTHOR = "sladesk"


def system_actor() -> Actor:
    """Return the desk as the actor of its own messages."""
    return Actor.system(label=SYSTEM_AUTHOR)


@transaction.atomic
def ticket_system_message(
    *,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    reason: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> TicketMessage:
    """Write a message authored by the desk: public (contacts see it) or internal.

    A system message never meets, starts, pauses or resumes a clock and never changes
    the status: it is neither an agent's response nor a customer's message. It is
    recorded in the ledger as ``replied`` (public) or ``noted`` (internal) with
    ``author: "system"`` and ``reason`` (e.g. ``redaction_notice``), so readers of the
    ledger (notifications, mail) can tell it from a person's reply.
    """
    now = now_or(now)
    ticket = ticket_lock(ticket)
    body = clean_text(body, field="body")
    actor = system_actor()
    message = TicketMessage.objects.create(
        ticket=ticket,
        visibility=(
            TicketMessage.Visibility.INTERNAL if internal else TicketMessage.Visibility.PUBLIC
        ),
        author_kind=TicketMessage.AuthorKind.SYSTEM,
        author=None,
        author_label=SYSTEM_AUTHOR,
        body=body,
        channel=actor.via,
        created_at=now,
    )
    event_record(
        ticket=ticket,
        kind=EventKind.NOTED if internal else EventKind.REPLIED,
        actor=actor,
        at=now,
        data={
            "message": message.pk,
            "author": "system",
            "reason": reason,
            "attachments": 0,
            **(data or {}),
        },
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return message
