"""Messages (public replies, internal notes) and attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class TicketMessage(models.Model):
    """A public reply or an internal note (never shown to contacts, in any interface)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "public reply"
        INTERNAL = "internal", "internal note"

    class AuthorKind(models.TextChoices):
        CONTACT = "contact", "contact"
        AGENT = "agent", "agent"
        SYSTEM = "system", "system"

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,  # tickets_message_ticket_at
    )
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    author_kind = models.CharField(max_length=8, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    body = models.TextField()
    channel = models.CharField(max_length=16)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_message_ticket_at")]

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} by {self.author_label} on ticket {self.ticket_id}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == self.Visibility.INTERNAL


def attachment_path(instance: Attachment, filename: str) -> str:
    """Return ``tickets/<ticket>/<uuid>/<filename>``: names never collide or guess."""
    return f"tickets/{instance.ticket_id}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file added to a ticket, streamed to the configured storage."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    internal = models.BooleanField(default=False, help_text="Shown to agents only.")
    file = models.FileField(upload_to=attachment_path, max_length=500)
    filename = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_label = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.size} bytes) on ticket {self.ticket_id}"
