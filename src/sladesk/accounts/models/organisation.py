"""Organisations (the customer) and the company e-mail domains that identify them."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Organisation(models.Model):
    """A customer of the vendor: the party that holds subscriptions and registers contacts."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Short stable reference used by the CLI and URLs."
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="IANA zone used to display times to this customer."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="accounts_organisation_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationDomain(models.Model):
    """A company e-mail domain; named contacts must have an address at one of them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, help_text="Lower case, e.g. acme.com.")

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
