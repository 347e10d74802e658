"""Writes of the outbox: enqueue notifications, deliver what is due, mark read.

Enqueue inside the transaction of the change you notify about; the delivery task is
enqueued in that transaction too (``enqueue_with_change``), so it runs after commit
(and the worker's delivery pass picks up retries). Delivery claims due rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never send the
same row at once; a failed attempt is retried with exponential backoff until
``SLADESK_OUTBOX_MAX_ATTEMPTS``, then the row is ``dead``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from sladesk.core import rows
from sladesk.core.tasks import enqueue_with_change
from sladesk.notifications import channels
from sladesk.notifications.models import DELIVERABLE, Channel, Notification, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("sladesk.notifications")

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_BASE = 30.0  # seconds before the first retry
DEFAULT_RETRY_CAP = 3600.0  # never wait longer than this between attempts


def max_attempts() -> int:
    """Return how many attempts a notification gets (setting ``SLADESK_OUTBOX_MAX_ATTEMPTS``)."""
    return int(getattr(settings, "SLADESK_OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> dt.timedelta:
    """Return the wait after the ``attempts``-th failed attempt: base x 2^(attempts-1), capped.

    With the defaults (30 s base, 1 h cap): 30 s, 1 min, 2 min, 4 min, 8 min, 16 min,
    32 min, then 1 h. Settings ``SLADESK_OUTBOX_RETRY_BASE`` and
    ``SLADESK_OUTBOX_RETRY_CAP`` (seconds) change them.
    """
    base = float(getattr(settings, "SLADESK_OUTBOX_RETRY_BASE", DEFAULT_RETRY_BASE))
    cap = float(getattr(settings, "SLADESK_OUTBOX_RETRY_CAP", DEFAULT_RETRY_CAP))
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


@dataclass(frozen=True, slots=True)
class Draft:
    """A notification to enqueue: who, through which channel, what, and its dedupe key."""

    channel: str
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    recipient_id: int | None = None
    address: str = ""


def _row(draft: Draft, *, now: dt.datetime) -> Notification:
    if draft.channel not in Channel.values:
        raise ValueError(f"unknown channel {draft.channel!r}")
    if draft.recipient_id is None and not draft.address:
        raise ValueError("a notification needs a recipient user or an address")
    return Notification(
        recipient_id=draft.recipient_id,
        address=draft.address,
        channel=draft.channel,
        kind=draft.kind,
        payload=draft.payload,
        status=Status.PENDING,
        next_attempt_at=now,
        dedupe_key=draft.dedupe_key[:200],
        created_at=now,
    )


def notifications_enqueue(*, drafts: Sequence[Draft], now: dt.datetime) -> int:
    """Write the drafts to the outbox in the current transaction; return how many were given.

    A draft whose ``dedupe_key`` is already in the outbox is skipped (one INSERT for
    all of them, ``ON CONFLICT DO NOTHING``). One delivery task is enqueued in the same
    transaction (it runs after commit).
    """
    if not drafts:
        return 0
    Notification.objects.bulk_create(
        [_row(d, now=now) for d in drafts], ignore_conflicts=True, batch_size=1000
    )
    _enqueue_delivery()
    return len(drafts)


def notification_enqueue(
    *,
    channel: str,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any],
    now: dt.datetime,
    recipient: User | None = None,
    address: str = "",
) -> int | None:
    """Enqueue one notification; return its id, or None when ``dedupe_key`` was enqueued before.

    As ``notifications_enqueue`` (in the current transaction, ``ON CONFLICT DO NOTHING``,
    with a delivery task), in one ``INSERT ... RETURNING`` built once (``rows.insert``):
    the caller learns whether its row is the new one without reading it back. A
    duplicate enqueues no delivery task (its row was enqueued with its own).
    """
    row = _row(
        Draft(
            channel=channel,
            kind=kind,
            dedupe_key=dedupe_key,
            payload=payload,
            recipient_id=recipient.pk if recipient is not None else None,
            address=address,
        ),
        now=now,
    )
    pk = rows.insert(row, ignore_conflicts=True)
    if pk is None:
        return None
    _enqueue_delivery()
    return int(pk)


def _enqueue_delivery() -> None:
    """Enqueue the outbox's delivery task with the change that wrote notifications."""
    from sladesk.notifications.tasks import notifications_deliver

    enqueue_with_change(notifications_deliver)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What one delivery pass did."""

    sent: int = 0
    failed: int = 0
    dead: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.dead


def _attempt(notification: Notification, *, now: dt.datetime) -> str:
    """Try to deliver ``notification``; set its status fields (unsaved); return the status."""
    notification.attempts += 1
    try:
        channels.channel_for(notification.channel)(notification)
    except Exception as exc:
        permanent = isinstance(exc, channels.PermanentFailure)
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if permanent or notification.attempts >= max_attempts():
            notification.status = Status.DEAD
            logger.warning(
                "notification %s is dead after %s attempt(s): %s",
                notification.pk,
                notification.attempts,
                notification.last_error,
            )
        else:
            notification.status = Status.FAILED
            notification.next_attempt_at = now + retry_delay(notification.attempts)
        return notification.status
    notification.status = Status.SENT
    notification.sent_at = now
    notification.last_error = ""
    return notification.status


def notifications_deliver_due(
    *, now: dt.datetime, limit: int = 500, ids: Iterable[int] | None = None
) -> DeliveryResult:
    """Deliver up to ``limit`` notifications whose next attempt is due at ``now``.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` (rows another worker is sending
    are skipped) and delivered inside the claiming transaction, in one
    ``channels.delivery_session`` (a channel connects once per pass); successes are
    recorded with one UPDATE, failures row by row. ``ids`` restricts the pass to those rows.
    """
    with transaction.atomic():
        qs = Notification.objects.filter(status__in=DELIVERABLE, next_attempt_at__lte=now)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        rows = list(
            qs.order_by("next_attempt_at", "id").select_for_update(skip_locked=True)[:limit]
        )
        sent: list[int] = []
        failed = dead = 0
        with channels.delivery_session():  # e.g. one SMTP connection for the whole pass
            for notification in rows:
                status = _attempt(notification, now=now)
                if status == Status.SENT:
                    sent.append(notification.pk)
                    continue
                if status == Status.FAILED:
                    failed += 1
                else:
                    dead += 1
                notification.save(
                    update_fields=["status", "attempts", "next_attempt_at", "last_error"]
                )
        if sent:
            Notification.objects.filter(pk__in=sent).update(
                status=Status.SENT, attempts=F("attempts") + 1, sent_at=now, last_error=""
            )
    return DeliveryResult(sent=len(sent), failed=failed, dead=dead)


def notification_retry(*, notification: Notification, now: dt.datetime) -> None:
    """Give a dead (or failed) notification a fresh set of attempts, due at ``now``."""
    Notification.objects.filter(pk=notification.pk, status__in=[Status.DEAD, Status.FAILED]).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now
    )


def notifications_mark_read(
    *, user: User, now: dt.datetime, ids: Iterable[int] | None = None
) -> int:
    """Mark the user's unread in-app notifications read (only ``ids`` when given); return how many."""
    qs = Notification.objects.filter(
        recipient=user, channel=Channel.IN_APP, status=Status.SENT, read_at__isnull=True
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=now)
