"""Reads of the outbox: an agent's in-app notification list and its unread count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from sladesk.notifications.models import Channel, Notification, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def inbox(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """Return the user's delivered in-app notifications, newest first.

    Only ``sent`` rows are listed: a pending one is not delivered yet, a dead one never was.
    """
    qs = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, status=Status.SENT)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def unread_count(user: User) -> int:
    return inbox(user, unread_only=True).count()


def outbox_counts() -> dict[str, int]:
    """Return how many notifications are in each status (for operators and the worker log)."""
    from django.db.models import Count

    counts = {s.value: 0 for s in Status}
    for row in Notification.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
