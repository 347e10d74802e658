"""Background work of the tickets app.

Notable ledger events are logged by the services once their change commits
(``services.common``); these tasks remain for rows queued by earlier versions, which
enqueued a task per event to write that log line.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("sladesk.tickets")


@task()
def ticket_events_notify(event_ids: list[int]) -> None:
    """Log the events ``event_ids`` of one change (in ledger order)."""
    from sladesk.tickets.models import TicketEvent

    for event in TicketEvent.objects.filter(pk__in=event_ids).order_by("at", "id"):
        logger.info(
            "ticket #%s %s by %s: %s", event.ticket_id, event.kind, event.actor_label, event.data
        )


@task()
def ticket_event_notify(event_id: int) -> None:
    """Log the event ``event_id`` (tasks queued by sladesk before events were batched)."""
    ticket_events_notify.call([event_id])
