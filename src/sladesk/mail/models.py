"""Inbound messages (stored raw before anything else) and the desk's outbound messages."""

from __future__ import annotations

from django.db import models


class InboundStatus(models.TextChoices):
    """Where a received message is.

    ``received``: stored, waiting for processing; ``processed``: it became a ticket, a
    reply, or a recorded bounce; ``held``: kept for an agent's review (unknown sender,
    unauthorised follow-up, forged agent, no From...), with the reason; ``refused``:
    answered with a refusal (Professional plan: use the portal; ticket closed);
    ``ignored``: automatic mail the desk must not answer (auto-replies, lists, loops,
    empty messages), kept for the record; ``quarantined``: processing failed with an
    error; re-processable after a fix.
    """

    RECEIVED = "received", "received"
    PROCESSED = "processed", "processed"
    HELD = "held", "held for review"
    REFUSED = "refused", "refused (sender told)"
    IGNORED = "ignored", "ignored (automatic)"
    QUARANTINED = "quarantined", "quarantined (error)"


def raw_path(instance: InboundMessage, filename: str) -> str:
    return f"mail/inbound/{instance.sha256[:2]}/{instance.sha256}.eml"


class InboundMessage(models.Model):
    """One message as received: the raw bytes (or a stored file) and their SHA-256.

    The row is committed before the SMTP server answers 250 (or the IMAP poller deletes
    the message). ``dedupe_key`` (Message-ID and the body's hash) is unique: the same
    message delivered twice is stored once.
    """

    received_at = models.DateTimeField()
    via = models.CharField(max_length=8)  # smtp, lmtp, imap, cli
    envelope_from = models.CharField(max_length=254, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    raw = models.BinaryField(null=True, blank=True)  # small messages: in the row
    raw_file = models.FileField(upload_to=raw_path, blank=True, max_length=200)  # large ones
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    dedupe_key = models.CharField(max_length=330, unique=True)
    message_id = models.CharField(max_length=250, blank=True, db_index=True)

    status = models.CharField(
        max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    outcome = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    from_address = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=1000, blank=True)
    auto = models.CharField(max_length=120, blank=True)
    notes = models.JSONField(default=list, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_message = models.ForeignKey(
        "tickets.TicketMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bounced = models.ForeignKey(
        "mail.OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bounces",
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="mail_inbound_status"),
            models.Index(fields=["ticket"], name="mail_inbound_ticket"),
        ]

    def __str__(self) -> str:
        return f"inbound {self.pk} from {self.from_address or self.envelope_from or '?'} ({self.status})"


class OutboundMessage(models.Model):
    """One e-mail the desk sent (or will send): its Message-ID, for threading and bounces.

    Delivery (attempts, retries, the last error) is the outbox's ``Notification``.
    """

    message_id = models.CharField(max_length=250, unique=True)
    kind = models.CharField(max_length=32)
    to_address = models.CharField(max_length=254, db_index=True)
    subject = models.CharField(max_length=1000)
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inbound = models.ForeignKey(
        InboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    notification = models.ForeignKey(
        "notifications.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_status = models.CharField(max_length=32, blank=True)
    bounce_detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["to_address", "automatic", "created_at"], name="mail_out_rate"),
            models.Index(fields=["ticket", "id"], name="mail_out_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} <{self.message_id}>"


class LedgerCursor(models.Model):
    """How far the outbound follower has read the tickets' ledger (one row per name)."""

    name = models.CharField(max_length=32, unique=True)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at event {self.last_event_id}"
