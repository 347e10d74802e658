"""Subscriptions: the contract, with its history (renewals, plan changes, cancellations)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from sladesk.accounts.models.organisation import Organisation


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    """Queries over subscriptions; validity is computed from dates, never stored as a flag."""

    def valid_on(self, day: dt.date) -> SubscriptionQuerySet:
        """Return the subscriptions that are valid on ``day``.

        Valid means: started (``starts_on <= day``), not expired (``day <= ends_on``, the end
        date is the last covered day) and not cancelled (no cancellation, or one that takes
        effect after ``day``).
        """
        return self.filter(valid_on_q(day))


def valid_on_q(day: dt.date) -> Q:
    """Return the condition "valid on ``day``" as a ``Q`` (see ``SubscriptionQuerySet.valid_on``)."""
    return Q(starts_on__lte=day, ends_on__gte=day) & (
        Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=day)
    )


class Subscription(models.Model):
    """A contract for one plan of the policy, from ``starts_on`` to ``ends_on`` inclusive."""

    class Status(models.TextChoices):
        ACTIVE = "active", "active"
        CANCELLED = "cancelled", "cancelled"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="subscriptions"
    )
    plan_id = models.CharField(max_length=40, help_text="A plan id of the support policy.")
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day covered (inclusive).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    cancelled_on = models.DateField(
        null=True,
        blank=True,
        help_text="First day no longer covered, when cancelled (empty when active).",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    policy_version = models.CharField(
        max_length=80, help_text="Version of the support policy the contract was sold under."
    )
    renewal_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_by",
        help_text="The subscription this one renews or replaces (its history).",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="accounts_subscription_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="active", cancelled_on__isnull=True)
                    | Q(status="cancelled", cancelled_on__isnull=False)
                ),
                name="accounts_subscription_status_matches_cancellation",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.starts_on}..{self.ends_on} ({self.status})"

    @property
    def last_covered_day(self) -> dt.date:
        """Return the last day this subscription covers (the end date or the day before cancellation)."""
        if self.cancelled_on is not None:
            return min(self.ends_on, self.cancelled_on - dt.timedelta(days=1))
        return self.ends_on

    def is_valid_on(self, day: dt.date) -> bool:
        """Return whether this one row is valid on ``day`` (same rule as ``valid_on``)."""
        return self.starts_on <= day <= self.last_covered_day
