"""Background work of the tickets app: thin tasks that load by id and log or notify.

The notification outbox (retries, channels) comes later; for now each notable event
is enqueued after commit and logged, so the worker's log shows what agents would be told.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("sladesk.tickets")


@task()
def ticket_event_notify(event_id: int) -> None:
    """Log the event ``event_id`` as a notification (the outbox will deliver it)."""
    from sladesk.tickets.models import TicketEvent

    event = TicketEvent.objects.select_related("ticket").filter(pk=event_id).first()
    if event is None:
        return
    logger.info(
        "ticket #%s %s by %s: %s", event.ticket_id, event.kind, event.actor_label, event.data
    )
