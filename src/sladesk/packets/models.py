"""What the desk keeps of an analysed upload: redacted artefacts, facts and findings."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def artefact_path(instance: PacketAnalysis, filename: str) -> str:
    """Return ``packets/<uuid>/<filename>`` (names never collide or guess)."""
    return f"packets/{uuid.uuid4().hex}/{filename}"


def original_path(instance: PacketAnalysis, filename: str) -> str:
    """Return the restricted path of an encrypted original."""
    return f"packets-originals/{uuid.uuid4().hex}/{filename}.fernet"


class PacketAnalysis(models.Model):
    """One analysed upload. ``artefact`` holds only redacted bytes."""

    class Kind(models.TextChoices):
        SUPPORT_PACKET = "support_packet", "support packet"
        CONFIG = "config", "config.json"
        LOG_JSON = "log_json", "server log (JSON lines)"
        LOG_PLAIN = "log_plain", "log (plain text)"

    name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    packet_format = models.CharField(max_length=8, blank=True)
    layout = models.CharField(max_length=16, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the original upload.")
    size = models.BigIntegerField(help_text="Bytes of the original upload.")
    environment = models.ForeignKey(
        "accounts.Environment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="packet_analyses",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="packet_analyses",
    )
    artefact = models.FileField(upload_to=artefact_path, max_length=500)
    artefact_name = models.CharField(max_length=255)
    artefact_sha256 = models.CharField(max_length=64)
    artefact_size = models.BigIntegerField()
    original = models.FileField(
        upload_to=original_path,
        max_length=500,
        blank=True,
        help_text="Encrypted original, kept only when SLADESK_KEEP_ORIGINAL_PACKETS is on.",
    )
    redaction = models.JSONField(default=dict, help_text="Per file: setting names and counts.")
    facts = models.JSONField(default=list)
    logs = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "packet analyses"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.created_at:%Y-%m-%d %H:%M})"


class Finding(models.Model):
    """A health-check result of one analysis."""

    class Severity(models.TextChoices):
        CRITICAL = "critical", "critical"
        HIGH = "high", "high"
        MEDIUM = "medium", "medium"
        LOW = "low", "low"
        INFO = "info", "info"

    analysis = models.ForeignKey(PacketAnalysis, on_delete=models.CASCADE, related_name="findings")
    rule_id = models.CharField(max_length=80)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    suggestion = models.TextField(blank=True)
    evidence = models.JSONField(default=list, help_text="[{source: 'file:line', text}]")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["analysis_id", "position"]

    def __str__(self) -> str:
        return f"[{self.severity}] {self.title}"


class EnvironmentFact(models.Model):
    """A fact about an environment and where it came from (file and line of an analysis)."""

    environment = models.ForeignKey(
        "accounts.Environment", on_delete=models.CASCADE, related_name="packet_facts"
    )
    analysis = models.ForeignKey(
        PacketAnalysis, on_delete=models.CASCADE, related_name="environment_facts"
    )
    key = models.CharField(max_length=80)
    value = models.JSONField(null=True)
    source = models.CharField(max_length=300, help_text="file[:line] in the redacted artefact.")
    node = models.CharField(max_length=200, blank=True)
    observed_at = models.DateTimeField()

    class Meta:
        ordering = ["environment_id", "key", "-observed_at"]
        indexes = [
            models.Index(
                fields=["environment", "key", "-observed_at"], name="packets_envfact_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value!r} ({self.source})"
