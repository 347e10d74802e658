"""Reads of the tickets app: querysets with their relations loaded once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from sladesk.tickets.models import Attachment, Ticket, TicketClock, TicketEvent, TicketMessage

#: Sort keys of ticket lists -> model field (a leading "-" sorts descending).
SORTS = {
    "due": "due_at",
    "severity": "severity_rank",
    "opened": "opened_at",
    "updated": "updated_at",
    "status": "status",
    "plan": "plan_id",
    "organisation": "organisation_id",  # groups by organisation
    "team": "team_id",  # groups by team (unrouted last)
    "assignee": "assignee_id",  # groups by agent (unassigned last)
    "id": "id",
}
#: Sort fields that may be null (sorted last, whatever the direction).
NULLABLE_SORTS = frozenset({"due_at", "team_id", "assignee_id"})


def ticket_base() -> QuerySet[Ticket]:
    """Return tickets with everything a list row or a detail page shows, in one query."""
    return Ticket.objects.select_related(
        "organisation", "requester", "environment", "team", "assignee", "subscription"
    )


def ticket_rows() -> QuerySet[Ticket]:
    """Return tickets with what a list row shows: organisation, requester, team, assignee.

    Fewer joins than ``ticket_base`` on purpose: PostgreSQL plans a 7-table join in ~7 ms,
    more than it takes to run it, while four joins plan in under 1 ms. The environment
    comes in one prefetch query instead (benchmarks/RESULTS.md, "Agent's queue").
    """
    return Ticket.objects.select_related(
        "organisation", "requester", "team", "assignee"
    ).prefetch_related("environment")


def ticket_get(ticket_id: int) -> Ticket | None:
    return ticket_base().filter(pk=ticket_id).first()


def breached_q(*, now: dt.datetime) -> Q:
    """Return "some clock of the ticket is breached at ``now``" as a ``Q`` on tickets."""
    late = TicketClock.objects.filter(ticket=OuterRef("pk")).filter(
        Q(breached=True)
        | Q(met_at__isnull=True, stopped_at__isnull=True, paused_at__isnull=True, due_at__lte=now)
    )
    return Q(Exists(late))


@dataclass(frozen=True, slots=True)
class TicketFilters:
    """Filters of a ticket list; ``None`` means "any"."""

    status: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()
    team: str | None = None  # slug, or "none"
    assignee: int | None = None
    unassigned: bool = False
    organisation: int | None = None
    breached: bool | None = None
    open_only: bool = False


def ticket_list(
    *, filters: TicketFilters, now: dt.datetime, organisation_id: int | None = None
) -> QuerySet[Ticket]:
    """Return the tickets matching ``filters`` (only ``organisation_id``'s when given).

    The environments and the clocks are prefetched (two more queries), whatever the page
    size.
    """
    qs = ticket_rows()
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.open_only:
        qs = qs.exclude(status__in=("solved", "closed"))
    if filters.severity:
        qs = qs.filter(severity__in=filters.severity)
    if filters.plan:
        qs = qs.filter(plan_id__in=filters.plan)
    if filters.team == "none":
        qs = qs.filter(team__isnull=True)
    elif filters.team:
        qs = qs.filter(team__slug=filters.team)
    if filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.organisation is not None:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.breached is True:
        qs = qs.filter(breached_q(now=now))
    elif filters.breached is False:
        qs = qs.exclude(breached_q(now=now))
    return qs.prefetch_related(
        Prefetch("clocks", queryset=TicketClock.objects.order_by("kind", "seq"))
    )


def latest_clocks(ticket: Ticket) -> list[TicketClock]:
    """Return the latest cycle of each clock of ``ticket``.

    Uses a prefetch when present, or the clocks a ``ticket_open`` just started.
    """
    latest: dict[str, TicketClock] = {}
    clocks = ticket.opened_clocks or ticket.clocks.all()
    for clock in sorted(clocks, key=lambda c: (c.kind, c.seq)):
        latest[clock.kind] = clock
    order = {"first_response": 0, "next_reply": 1, "resolution": 2}
    return sorted(latest.values(), key=lambda c: order.get(c.kind, 9))


def ticket_clocks(ticket: Ticket) -> QuerySet[TicketClock]:
    """Return every clock cycle of ``ticket`` (history included)."""
    return TicketClock.objects.filter(ticket=ticket).order_by("kind", "seq")


def ticket_messages(ticket: Ticket, *, include_internal: bool) -> QuerySet[TicketMessage]:
    """Return the ticket's messages, oldest first; internal notes only if ``include_internal``."""
    qs = TicketMessage.objects.filter(ticket=ticket).prefetch_related(
        Prefetch(
            "attachments",
            queryset=Attachment.objects.all()
            if include_internal
            else Attachment.objects.filter(internal=False),
        )
    )
    if not include_internal:
        qs = qs.filter(visibility=TicketMessage.Visibility.PUBLIC)
    return qs.order_by("created_at", "id")


def ticket_attachments(ticket: Ticket, *, include_internal: bool) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(ticket=ticket)
    if not include_internal:
        qs = qs.filter(internal=False)
    return qs.order_by("uploaded_at", "id")


def ticket_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).order_by("at", "id")


def flags_for(ticket: Ticket, *, agent: bool) -> list[dict[str, Any]]:
    """Return the ticket's flags a reader may see (contacts: those meant for everyone)."""
    return [f for f in ticket.flags if agent or f.get("audience") == "all"]
