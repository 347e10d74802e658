"""Who may see and do what on tickets: the one chokepoint.

Interfaces resolve the signed-in user to a ``Principal`` (``sladesk.accounts.access``)
and ask here. An invisible ticket or attachment is reported as not found, never as
forbidden, so ids of other organisations reveal nothing. Internal notes and internal
attachments exist only for agents: contacts never see them, in any interface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sladesk.accounts.access import Can
from sladesk.core.exceptions import NotFound, PermissionDenied
from sladesk.tickets.models import Attachment, Ticket
from sladesk.tickets.selectors import ticket_get

if TYPE_CHECKING:
    from sladesk.accounts.access import Principal


def _not_found(kind: str, ref: object) -> NotFound:
    return NotFound(f"no {kind} {ref}", code="not_found", details={"type": kind, "id": str(ref)})


def ticket_for(principal: Principal, ticket_id: int) -> Ticket:
    """Return the ticket if ``principal`` may see it, else ``not_found``."""
    ticket = ticket_get(ticket_id)
    # It does not exist.
    if ticket is None:
        raise _not_found("ticket", ticket_id)
    # Agents (every role reads all organisations) see every ticket.
    if principal.can(Can.READ_ALL):
        return ticket
    # A contact sees the tickets of their own organisation (colleagues' included).
    if principal.contact is not None and principal.organisation_id == ticket.organisation_id:
        return ticket
    # Anyone else: as if it did not exist.
    raise _not_found("ticket", ticket_id)


def sees_internal(principal: Principal) -> bool:
    """Return whether ``principal`` may see internal notes and attachments (agents only)."""
    # Only agents; a contact never does, whatever the ticket.
    return principal.is_agent


def attachment_for(principal: Principal, ticket: Ticket, attachment_id: int) -> Attachment:
    """Return an attachment of a ticket the principal already may see, else ``not_found``."""
    attachment = Attachment.objects.filter(pk=attachment_id, ticket=ticket).first()
    # Not on this ticket (or not at all).
    if attachment is None:
        raise _not_found("attachment", attachment_id)
    # Internal attachments exist only for agents.
    if attachment.internal and not sees_internal(principal):
        raise _not_found("attachment", attachment_id)
    return attachment


def require_ticket_agent(principal: Principal, *, doing: str) -> None:
    """Refuse with ``not_an_agent`` unless ``principal`` is an agent."""
    # Severity, status, assignment, notes and queues are agents' work.
    if not principal.is_agent:
        raise PermissionDenied(f"only agents may {doing}", code="not_an_agent")
