"""Contacts: the customer's registered people (named contacts on plans with a limit)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sladesk.accounts.models.organisation import Organisation


class ContactQuerySet(models.QuerySet["Contact"]):
    def active(self) -> ContactQuerySet:
        """Return the contacts that have not been removed."""
        return self.filter(removed_at__isnull=True)


class Contact(models.Model):
    """A person registered by an organisation; signs in as a Django user with their e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contacts"
    )
    email = models.EmailField(max_length=254, help_text="Lower case; also the sign-in name.")
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    role = models.CharField(
        max_length=120,
        blank=True,
        help_text="Their role at the organisation, e.g. IT administrator.",
    )
    named = models.BooleanField(
        default=False,
        help_text="A named contact of a plan with a named-contact limit (e.g. Premier).",
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(removed_at__isnull=True),
                name="accounts_contact_one_active_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_active(self) -> bool:
        """Return whether the contact is still registered."""
        return self.removed_at is None
