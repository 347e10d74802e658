"""The ticket: a customer's request, with the entitlement snapshot taken at intake."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from sladesk.tickets.models.clock import TicketClock
    from sladesk.tickets.models.message import TicketMessage


class Status(models.TextChoices):
    """Where a ticket is in its life (``docs/tickets.md`` has the transition table)."""

    NEW = "new", "new"
    OPEN = "open", "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "waiting on customer"
    WAITING_ON_ENGINEERING = "waiting_on_engineering", "waiting on engineering"
    SOLVED = "solved", "solved"
    CLOSED = "closed", "closed"


class Category(models.TextChoices):
    INSTALLATION = "installation", "installation"
    UPGRADE = "upgrade", "upgrade"
    CONFIGURATION = "configuration", "configuration"
    TROUBLESHOOTING = "troubleshooting", "troubleshooting"
    PERFORMANCE = "performance", "performance"
    BUG = "bug", "bug"
    API_DEFECT = "api_defect", "API defect"
    QUESTION = "question", "question"
    FEATURE_REQUEST = "feature_request", "feature request"
    DOCUMENTATION = "documentation", "documentation"


class Channel(models.TextChoices):
    """The interface a ticket came through (the door's channels)."""

    PORTAL = "portal", "portal"
    EMAIL = "email", "e-mail"
    API = "api", "API"
    CLI = "cli", "command line"
    CHAT = "chat", "chat"
    PHONE = "phone", "phone"


class Ticket(models.Model):
    """A support request of an organisation's contact.

    ``plan_id``, ``policy_version``, ``is_production`` and ``server_version`` are a
    snapshot of the entitlement at intake: later edits to a plan, a subscription, an
    environment or the policy never rewrite them. Severity ids come from the policy
    (``L1``..``L4`` in the default one), so they are validated against it rather than
    fixed choices; ``severity_rank`` (1 = most urgent) sorts them.
    """

    # No single-column index where a composite index of ``Meta.indexes`` starts with the
    # column: each index is one more B-tree every opening writes (benchmarks/RESULTS.md).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    environment = models.ForeignKey(
        "accounts.Environment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    requester = models.ForeignKey(
        "accounts.Contact", on_delete=models.PROTECT, related_name="tickets"
    )
    subscription = models.ForeignKey(
        "accounts.Subscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text="The subscription valid at intake.",
    )
    subject = models.CharField(max_length=300)
    description = models.TextField()
    category = models.CharField(max_length=24, choices=Category.choices)
    severity = models.CharField(max_length=16)
    severity_rank = models.PositiveSmallIntegerField()
    requested_severity = models.CharField(max_length=16)
    severity_reason = models.TextField(blank=True, help_text="Why the severity is what it is.")
    suggested_severity = models.CharField(max_length=16, blank=True)
    suggestion_reason = models.TextField(blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,  # tickets_team_due
    )
    assignee = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,  # tickets_assignee_due
    )
    # The entitlement at intake.
    plan_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=80)
    is_production = models.BooleanField()
    server_version = models.CharField(max_length=40, blank=True)
    # Triage and door flags: [{"code", "title", "message", "pointer", "audience", "evidence"}].
    flags = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The earliest due instant among the running clocks (null when none runs): the queue's sort key.
    due_at = models.DateTimeField(null=True, blank=True)

    # Not stored: on the instance ``ticket_open`` returns, the first message and the clocks
    # it wrote with the ticket, so that callers need not read them back.
    opened_message: TicketMessage | None = None
    opened_clocks: tuple[TicketClock, ...] = ()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["team", "due_at", "id"], name="tickets_team_due"),
            models.Index(fields=["assignee", "due_at", "id"], name="tickets_assignee_due"),
            models.Index(fields=["organisation", "opened_at"], name="tickets_org_opened"),
            models.Index(fields=["status", "due_at"], name="tickets_status_due"),
            models.Index(fields=["due_at", "id"], name="tickets_due"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        """Return whether the ticket still waits for something (not solved or closed)."""
        return self.status not in (Status.SOLVED, Status.CLOSED)
