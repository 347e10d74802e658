"""The vendor's release catalogue (data the desk is given and can update)."""

from __future__ import annotations

from django.db import models


class Release(models.Model):
    """A server release line (``11.7``) or a specific release (``11.7.9``)."""

    version = models.CharField(max_length=40, unique=True)
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    patch = models.PositiveIntegerField(null=True, blank=True)
    released_on = models.DateField()
    extended_support = models.BooleanField(
        default=False, help_text="An extended-support release (ESR)."
    )
    support_ends = models.DateField(
        null=True, blank=True, help_text="Last day of the vendor's support for this release."
    )
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-major", "-minor", "-patch"]

    def __str__(self) -> str:
        return f"v{self.version}{' ESR' if self.extended_support else ''}"
