"""Background tasks of the outbox: thin calls to ``notifications_deliver_due``.

Retries are the outbox's own (``next_attempt_at`` with exponential backoff), so a
task never raises for a failed delivery: the worker's delivery pass (every sweep
interval) picks up rows whose next attempt has come.
"""

from __future__ import annotations

import logging

from django_tasks import task

from sladesk.core import time

logger = logging.getLogger("sladesk.notifications")


@task()
def notifications_deliver() -> dict[str, int]:
    """Deliver the notifications due now (a batch; run after commit of the enqueueing change)."""
    from sladesk.notifications.services import notifications_deliver_due

    result = notifications_deliver_due(now=time.now())
    return {"sent": result.sent, "failed": result.failed, "dead": result.dead}


@task()
def notification_deliver(notification_id: int) -> str:
    """Deliver one notification by id if it is due (skipped if another worker holds it)."""
    from sladesk.notifications.models import Notification
    from sladesk.notifications.services import notifications_deliver_due

    notifications_deliver_due(now=time.now(), ids=[notification_id], limit=1)
    row = Notification.objects.filter(pk=notification_id).values_list("status", flat=True).first()
    return row or "missing"
