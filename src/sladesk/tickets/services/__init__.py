"""Every write of the tickets app: one service per state change (``ticket_<verb>``)."""

from __future__ import annotations

from sladesk.tickets.services.attachments import (
    AttachmentCandidate,
    AttachmentFilter,
    AttachmentTooLarge,
    FilterResult,
    Upload,
    attachment_add,
    attachment_filters,
    max_attachment_bytes,
)
from sladesk.tickets.services.changes import (
    TRANSITIONS,
    agent_availability_set,
    ticket_assign,
    ticket_severity_set,
    ticket_status_set,
)
from sladesk.tickets.services.clocks import RETARGET_RULE
from sladesk.tickets.services.conversation import TicketClosed, ticket_note, ticket_reply
from sladesk.tickets.services.intake import next_agent_on_shift, ticket_open
from sladesk.tickets.services.system import SYSTEM_AUTHOR, ticket_system_message

__all__ = [
    "RETARGET_RULE",
    "SYSTEM_AUTHOR",
    "TRANSITIONS",
    "AttachmentCandidate",
    "AttachmentFilter",
    "AttachmentTooLarge",
    "FilterResult",
    "TicketClosed",
    "Upload",
    "agent_availability_set",
    "attachment_add",
    "attachment_filters",
    "max_attachment_bytes",
    "next_agent_on_shift",
    "ticket_assign",
    "ticket_note",
    "ticket_open",
    "ticket_reply",
    "ticket_severity_set",
    "ticket_status_set",
    "ticket_system_message",
]
