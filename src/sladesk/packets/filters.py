"""The packets app's attachment filter: diagnostics are redacted before they are stored.

``redact_diagnostics`` is in the default ``SLADESK_ATTACHMENT_FILTERS``, so every file
attached to a ticket (portal, API, CLI, e-mail: they all go through
``tickets.services.attachment_add``) passes it before it reaches storage. A support
packet, ``config.json`` or log (``intake.diagnostic_kind``) runs through the same engine
as ``sladesk packet analyze``; only the redacted artefact is stored as the attachment,
the analysis is linked to the ticket (facts onto its environment, findings), agents get
an internal note and the customer a public notice of what was redacted. Any other file
passes untouched. A refusal (zip bomb, binary log, gzip instead of the zip...) is the
engine's ``PacketRefused``: ``attachment_add`` stores nothing.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from sladesk.packets.intake import SUPPORT_PACKET, diagnostic_kind, names_settings
from sladesk.packets.models import PacketAnalysis
from sladesk.packets.results import PacketRefused
from sladesk.packets.services import (
    Prepared,
    file_sha256,
    findings_note,
    packet_prepare,
    packet_store,
)
from sladesk.tickets.services import FilterResult, ticket_system_message

if TYPE_CHECKING:
    from sladesk.tickets.models import Attachment
    from sladesk.tickets.services import AttachmentCandidate

LABEL = "sladesk.packets.filters.redact_diagnostics"
_HEAD = 65536


def redact_diagnostics(candidate: AttachmentCandidate) -> FilterResult | None:
    """Replace a diagnostic upload by its redacted artefact; pass anything else untouched."""
    name = candidate.filename
    with open(candidate.path, "rb") as source:
        kind = diagnostic_kind(source, name=name)
        if kind is None:
            return None
        head = source.read(_HEAD)
        source.seek(0)
        ticket = candidate.ticket
        environment = ticket.environment
        production = environment.is_production if environment is not None else ticket.is_production
        try:
            prepared = packet_prepare(
                source=source,
                name=name,
                workdir=candidate.workdir,
                production=production,
                now=candidate.now,
            )
        except PacketRefused as refusal:
            if refusal.code == "packet_not_config" and not names_settings(head):
                return None  # a JSON file named config.json that is not the vendor's config
            message = refusal.message if refusal.message.startswith(name) else f"{name}: {refusal}"
            raise PacketRefused(
                message, code=refusal.code, details={**refusal.details, "filename": name}
            ) from None
    analysis = prepared.analysis
    unchanged = (
        analysis.kind != SUPPORT_PACKET
        and analysis.redacted_count == 0
        and file_sha256(prepared.artefact) == candidate.sha256
    )
    follow_up = functools.partial(
        _record, prepared=prepared, candidate=candidate, replaced=not unchanged
    )
    if unchanged:
        return FilterResult(follow_up=follow_up, label=LABEL)
    return FilterResult(
        path=prepared.artefact,
        filename=analysis.artefact_name,
        follow_up=follow_up,
        label=LABEL,
    )


def _record(
    attachment: Attachment, *, prepared: Prepared, candidate: AttachmentCandidate, replaced: bool
) -> None:
    """Store the analysis (pointing at the attachment's file), then tell agents and customer."""
    ticket = candidate.ticket
    analysis = prepared.analysis
    row = packet_store(
        prepared=prepared,
        environment=ticket.environment,
        actor=candidate.actor,
        ticket=None,
        now=candidate.now,
        artefact_stored=attachment.file.name,
        summary={
            "attachment": attachment.pk,
            "channel": candidate.actor.via,
            "replaced": replaced,
        },
    )
    PacketAnalysis.objects.filter(pk=row.pk).update(ticket=ticket)
    row.ticket = ticket
    removed = analysis.redacted_count > 0 or bool(analysis.skipped)
    if removed and not attachment.internal:
        ticket_system_message(
            ticket=ticket,
            body=str(row.summary["customer_notice"]),
            reason="redaction_notice",
            data={"analysis": row.pk, "attachment": attachment.pk},
            now=candidate.now,
        )
    if removed or analysis.findings or analysis.facts or analysis.notes:
        ticket_system_message(
            ticket=ticket,
            body=_agent_note(row, attachment=attachment, candidate=candidate, replaced=replaced),
            internal=True,
            reason="packet_analysis",
            data={"analysis": row.pk, "attachment": attachment.pk},
            now=candidate.now,
        )


def _agent_note(
    row: PacketAnalysis,
    *,
    attachment: Attachment,
    candidate: AttachmentCandidate,
    replaced: bool,
) -> str:
    stored = (
        f"stored as {attachment.filename} (redacted; the original was never stored)"
        if replaced
        else "stored unchanged (nothing needed redacting)"
    )
    intro = (
        f"{candidate.actor.label} attached {candidate.filename} ({candidate.size:,} bytes, "
        f"SHA-256 {candidate.sha256}) through {candidate.actor.via}; {stored}."
    )
    return f"{intro}\n{findings_note(row)}"
