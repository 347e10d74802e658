"""Environments: the customer's Mattermost deployments."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from sladesk.accounts.models.organisation import Organisation


class EnvironmentQuerySet(models.QuerySet["Environment"]):
    def active(self) -> EnvironmentQuerySet:
        """Return the environments that have not been retired."""
        return self.filter(retired_at__isnull=True)


class Environment(models.Model):
    """One Mattermost deployment of an organisation (production or not)."""

    class Edition(models.TextChoices):
        TEAM = "team", "Team Edition"
        ENTRY = "entry", "Entry"
        PROFESSIONAL = "professional", "Professional"
        ENTERPRISE = "enterprise", "Enterprise"
        ENTERPRISE_ADVANCED = "enterprise_advanced", "Enterprise Advanced"
        OTHER = "other", "other"

    class Database(models.TextChoices):
        POSTGRESQL = "postgresql", "PostgreSQL"
        MYSQL = "mysql", "MySQL"
        OTHER = "other", "other"

    class Deployment(models.TextChoices):
        PACKAGE = "package", "package (tarball, deb, rpm)"
        DOCKER = "docker", "Docker"
        KUBERNETES = "kubernetes", "Kubernetes"
        CLOUD = "cloud", "cloud"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="environments"
    )
    name = models.CharField(max_length=120)
    is_production = models.BooleanField(
        help_text="Actively used by the customer's business users (testing and staging are not)."
    )
    version = models.CharField(max_length=40, help_text="Server version, e.g. 11.7.9.")
    edition = models.CharField(max_length=24, choices=Edition.choices, default=Edition.ENTERPRISE)
    database_type = models.CharField(
        max_length=16, choices=Database.choices, default=Database.POSTGRESQL
    )
    database_version = models.CharField(max_length=40, blank=True)
    os = models.CharField("operating system", max_length=120, blank=True)
    deployment_type = models.CharField(
        max_length=16, choices=Deployment.choices, default=Deployment.PACKAGE
    )
    cluster_size = models.PositiveIntegerField(default=1, help_text="Number of server nodes.")
    user_count = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = EnvironmentQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                condition=Q(retired_at__isnull=True),
                name="accounts_environment_name_unique_per_org",
            ),
            models.CheckConstraint(
                condition=Q(cluster_size__gte=1), name="accounts_environment_cluster_size_positive"
            ),
        ]

    def __str__(self) -> str:
        kind = "production" if self.is_production else "non-production"
        return f"{self.name} ({kind}, {self.version})"
