"""The outbox: every notification the desk sends goes through one table.

A row is written in the same transaction as the change it tells about (so it is sent
if and only if the change commits), then delivered by the worker through its channel,
with retries and exponential backoff. ``dedupe_key`` is unique: enqueueing the same
notification twice (a retried sweep, a replayed task) writes one row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    """How a notification reaches its recipient (e-mail, chat and paging arrive later)."""

    IN_APP = "in_app", "in-app"
    LOG = "log", "log line"
    EMAIL = "email", "e-mail"
    CHAT = "chat", "chat"
    PAGING = "paging", "paging"


class Status(models.TextChoices):
    """Where a notification is in its delivery.

    ``pending``: not tried yet; ``failed``: the last attempt failed, another is due at
    ``next_attempt_at``; ``sent``: delivered; ``dead``: given up (too many attempts or a
    permanent failure), kept for an operator to read ``last_error``.
    """

    PENDING = "pending", "pending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed (will retry)"
    DEAD = "dead", "dead (gave up)"


#: Statuses the delivery pass picks up once ``next_attempt_at`` has come.
DELIVERABLE = (Status.PENDING, Status.FAILED)


class Notification(models.Model):
    """One message to one recipient through one channel.

    The recipient is a user (agents and contacts both have one) or an address
    (an e-mail address, a chat handle, a logger name). ``payload`` is what the channel
    renders; ``kind`` says what it is about (``sla.warning``, ``sla.breach``, ...).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=48)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The delivery pass: due rows only (a partial index stays small).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="notif_deliverable",
            ),
            # An agent's in-app list, newest first.
            models.Index(
                fields=["recipient", "-id"],
                condition=Q(channel="in_app", status="sent"),
                name="notif_inbox",
            ),
        ]

    def __str__(self) -> str:
        who = self.recipient_id or self.address or "-"
        return f"{self.kind} to {who} via {self.channel} ({self.status})"
