"""Routing state: which agents are on shift, and each team's round-robin position."""

from __future__ import annotations

from django.db import models


class AgentAvailability(models.Model):
    """Whether an agent is on shift: only agents on shift receive new tickets.

    "On shift" is one flag an agent (or their manager) turns on and off; an agent
    without a row is off shift. Calendars of shifts may come later; the flag is what
    routing reads.
    """

    agent = models.OneToOneField(
        "accounts.Agent", on_delete=models.CASCADE, related_name="availability"
    )
    on_shift = models.BooleanField(default=False)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "agent availability"

    def __str__(self) -> str:
        return f"{self.agent_id}: {'on' if self.on_shift else 'off'} shift"


class TeamRotation(models.Model):
    """The last agent of a team who received a ticket (round-robin position)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="rotation")
    # No index: every opening moves it, and without an index on the column PostgreSQL
    # updates the row in place (a HOT update) instead of adding index entries each time
    # (70,000 dead entries for a two-row table after one benchmark). The table has one
    # row per team, so deleting an agent checks it by a scan of a handful of rows.
    last_agent = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    def __str__(self) -> str:
        return f"rotation of team {self.team_id}"
