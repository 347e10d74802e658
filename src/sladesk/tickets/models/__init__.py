"""The tickets models, one module per entity (re-exported here)."""

from __future__ import annotations

from sladesk.tickets.models.clock import ClockKind, TicketClock
from sladesk.tickets.models.event import EventKind, TicketEvent
from sladesk.tickets.models.message import Attachment, TicketMessage
from sladesk.tickets.models.routing import AgentAvailability, TeamRotation
from sladesk.tickets.models.ticket import Category, Channel, Status, Ticket

__all__ = [
    "AgentAvailability",
    "Attachment",
    "Category",
    "Channel",
    "ClockKind",
    "EventKind",
    "Status",
    "TeamRotation",
    "Ticket",
    "TicketClock",
    "TicketEvent",
    "TicketMessage",
]
