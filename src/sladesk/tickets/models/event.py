"""The ticket ledger: one event per state change; clocks are derived from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EventKind(models.TextChoices):
    OPENED = "opened", "opened"
    TRIAGED = "triaged", "triaged"
    REPLIED = "replied", "public reply"
    NOTED = "noted", "internal note"
    ATTACHED = "attached", "attachment added"
    SEVERITY_SET = "severity_set", "severity changed"
    STATUS_SET = "status_set", "status changed"
    REOPENED = "reopened", "reopened"
    ASSIGNED = "assigned", "assigned"
    CLOCK_STARTED = "clock_started", "clock started"
    CLOCK_MET = "clock_met", "clock met"
    CLOCK_STOPPED = "clock_stopped", "clock stopped"
    CLOCK_PAUSED = "clock_paused", "clock paused"
    CLOCK_RESUMED = "clock_resumed", "clock resumed"
    CLOCK_RETARGETED = "clock_retargeted", "clock re-targeted"
    CLOCK_WARNING = "clock_warning", "clock warning threshold crossed"
    CLOCK_BREACHED = "clock_breached", "clock breached"


class TicketEvent(models.Model):
    """One change of a ticket: who, when, through which interface, and the data.

    ``key`` is an optional idempotency key (unique when set): the SLA sweep records a
    threshold crossing as ``clock:<id>:warn:<i>`` so that it is recorded once even with
    several workers.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # tickets_event_ticket_at
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    via = models.CharField(max_length=16)
    clock = models.ForeignKey(
        "tickets.TicketClock",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    data = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=120, null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        # A constraint rather than unique=True: PostgreSQL then needs no second,
        # pattern-matching index on the key, which no query uses.
        constraints = [models.UniqueConstraint(fields=["key"], name="tickets_event_unique_key")]
        indexes = [models.Index(fields=["ticket", "at"], name="tickets_event_ticket_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} on ticket {self.ticket_id}"
