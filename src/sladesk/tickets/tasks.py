"""Background work of the tickets app: thin tasks that load by id and log or notify.

Notable ledger events (opened, replied, assigned, ...) are enqueued in the same
transaction as the change that records them, one task per change, and logged here, so
the worker's log shows what happened; e-mail follows the ledger on its own
(``sladesk.mail.outbound``) and the SLA sweep notifies through the outbox.
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
