"""SLA clocks: several per ticket, each counted in its own coverage calendar."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "first response"
    NEXT_REPLY = "next_reply", "next reply"
    RESOLUTION = "resolution", "resolution"


class TicketClock(models.Model):
    """One cycle of one clock of a ticket (``seq`` counts next-reply and reopen cycles).

    The target is stored as open time of ``calendar`` (``target_seconds``); a "next
    business day" target is turned into the open time between the start and that
    instant when the clock starts. ``pauses`` holds closed pauses as
    ``[[start_iso, end_iso], ...]``; ``paused_at`` is set while a pause is open (and then
    ``due_at`` is null: no due while the customer holds the next move).

    ``next_check_at`` is the next instant at which the clock crosses a warning threshold
    or its due; it is null when the clock is met, stopped, paused or its breach is
    recorded. The SLA sweep selects ``next_check_at <= now`` through a partial index, so
    its cost grows with the clocks crossing, not with the open tickets.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="clocks",
        db_index=False,  # tickets_clock_unique_cycle starts with it
    )
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    seq = models.PositiveIntegerField(default=1)
    severity = models.CharField(max_length=16)
    plan_id = models.CharField(max_length=40)
    calendar = models.CharField(max_length=40)
    target_label = models.CharField(max_length=80)
    target_seconds = models.BigIntegerField(help_text="Open time of the calendar allowed.")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pauses = models.JSONField(default=list, blank=True)
    paused_seconds = models.BigIntegerField(default=0, help_text="Open time inside closed pauses.")
    breached = models.BooleanField(default=False)
    breached_by_seconds = models.BigIntegerField(
        null=True, blank=True, help_text="How late it was met or stopped (wall seconds)."
    )
    warned = models.PositiveSmallIntegerField(
        default=0, help_text="How many of the policy's warning thresholds were recorded."
    )
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ticket_id", "kind", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "seq"], name="tickets_clock_unique_cycle"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="tickets_clock_next_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq} of ticket {self.ticket_id}"

    @property
    def state(self) -> str:
        """Return ``met``, ``stopped``, ``paused`` or ``running``."""
        if self.met_at is not None:
            return "met"
        if self.stopped_at is not None:
            return "stopped"
        if self.paused_at is not None:
            return "paused"
        return "running"
