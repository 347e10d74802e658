"""Agents (the vendor's support staff), their roles and teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Team(models.Model):
    """A group of agents; the ``senior`` team exists by default (Premier routing)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """The agent profile of a Django user: role and teams."""

    class Role(models.TextChoices):
        SUPPORT_ENGINEER = "support_engineer", "support engineer"
        SENIOR_SUPPORT_ENGINEER = "senior_support_engineer", "senior support engineer"
        SUPPORT_MANAGER = "support_manager", "support manager"
        ADMINISTRATOR = "administrator", "administrator"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agent"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=32, choices=Role.choices)
    teams = models.ManyToManyField(Team, blank=True, related_name="agents")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
