"""The tickets REST API (django-ninja router ``tickets``): thin calls to services and selectors.

Contacts see and act only on their organisation's tickets and never see internal notes
or internal attachments; agents see every ticket. Lists are paginated by cursor, with a
fixed number of queries whatever the page size. Errors use the one JSON error shape.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from sladesk.accounts.access import Principal, require_scope
from sladesk.accounts.models import Agent, Team
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.schemas import ERRORS, InputSchema, OutputSchema, refuse_unknown_query
from sladesk.core import time
from sladesk.core.exceptions import NotFound, ValidationFailed
from sladesk.policy import Policy, get_policy
from sladesk.tickets import access, selectors, sla
from sladesk.tickets.models import Attachment, Ticket, TicketClock, TicketMessage
from sladesk.tickets.models import Status as TicketStatus
from sladesk.tickets.services import (
    AttachmentTooLarge,
    Upload,
    attachment_add,
    max_attachment_bytes,
    ticket_assign,
    ticket_note,
    ticket_open,
    ticket_reply,
    ticket_severity_set,
    ticket_status_set,
)

router = Router(tags=["tickets"], auth=token_auth)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_DATETIME_SORTS = frozenset({"due_at", "opened_at", "updated_at"})


# -- schemas -------------------------------------------------------------------------------


class Ref(OutputSchema):
    id: int
    name: str


class RequesterOut(Ref):
    email: str


class FlagOut(OutputSchema):
    code: str
    title: str
    message: str
    pointer: str
    audience: str
    evidence: list[str]


class ClockOut(OutputSchema):
    id: int | None
    kind: str
    seq: int
    state: str
    severity: str
    target: str
    target_seconds: int
    calendar: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    stopped_at: dt.datetime | None
    stop_reason: str
    paused_at: dt.datetime | None
    elapsed_seconds: int
    remaining_seconds: int
    paused_seconds: int
    breached: bool
    breached_by_seconds: int | None
    used: float


class Span(OutputSchema):
    start: dt.datetime
    end: dt.datetime | None
    seconds: int | None = None


class Threshold(OutputSchema):
    fraction: float
    at: dt.datetime


class ClockExplainOut(ClockOut):
    calendar_description: str
    zone: str
    pauses: list[Span]
    counted: list[Span]
    thresholds: list[Threshold]
    text: list[str]


class TicketOut(OutputSchema):
    id: int
    subject: str
    status: str
    severity: str
    requested_severity: str
    severity_reason: str
    suggested_severity: str | None
    suggestion_reason: str | None
    category: str
    channel: str
    organisation: Ref
    requester: RequesterOut
    environment: Ref | None
    team: str | None
    assignee: Ref | None
    plan: str
    policy_version: str
    is_production: bool
    server_version: str
    flags: list[FlagOut]
    opened_at: dt.datetime
    updated_at: dt.datetime
    first_responded_at: dt.datetime | None
    solved_at: dt.datetime | None
    closed_at: dt.datetime | None
    due_at: dt.datetime | None
    breached: bool
    clocks: list[ClockOut]


class TicketDetailOut(TicketOut):
    description: str


class TicketPage(OutputSchema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketIn(InputSchema):
    subject: str
    description: str
    severity: str
    category: str
    environment_id: int | None = None
    requester_email: str | None = None  # agents opening for a contact; contacts leave it out


class AttachmentOut(OutputSchema):
    id: int
    filename: str
    size: int
    sha256: str
    content_type: str
    internal: bool
    message_id: int | None
    uploaded_at: dt.datetime
    uploaded_by: str
    url: str


class MessageOut(OutputSchema):
    id: int
    visibility: str
    author_kind: str
    author: str
    body: str
    channel: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class MessageIn(InputSchema):
    body: str
    internal: bool = False


class SeverityIn(InputSchema):
    severity: str
    reason: str


class StatusIn(InputSchema):
    status: str
    reason: str = ""


class AssigneeIn(InputSchema):
    agent_id: int | None = None
    team: str | None = None
    reason: str = ""


class EventOut(OutputSchema):
    id: int
    kind: str
    at: dt.datetime
    actor: str
    via: str
    clock_id: int | None
    data: dict[str, Any]


class ListQuery(Schema):
    status: list[str] = []
    severity: list[str] = []
    plan: list[str] = []
    team: str | None = None
    assignee: str | None = None  # an agent id, "me" or "none"
    organisation: int | None = None
    breached: bool | None = None
    open: bool = False
    sort: str = "due"
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


# -- rendering -------------------------------------------------------------------------------


def _clock_out(clock: TicketClock, *, now: dt.datetime, policy: Policy) -> ClockOut:
    s = sla.clock_state(clock, now=now, policy=policy)
    return ClockOut(
        id=s.id,
        kind=s.kind,
        seq=s.seq,
        state=s.state,
        severity=s.severity,
        target=s.target_label,
        target_seconds=int(s.target.total_seconds()),
        calendar=s.calendar,
        started_at=s.started_at,
        due_at=s.due_at,
        met_at=s.met_at,
        stopped_at=s.stopped_at,
        stop_reason=s.stop_reason,
        paused_at=s.paused_at,
        elapsed_seconds=int(s.elapsed.total_seconds()),
        remaining_seconds=int(s.remaining.total_seconds()),
        paused_seconds=int(s.paused.total_seconds()),
        breached=s.breached,
        breached_by_seconds=int(s.breached_by.total_seconds())
        if s.breached_by is not None
        else None,
        used=round(s.used, 4),
    )


def _explain_out(clock: TicketClock, *, now: dt.datetime, policy: Policy) -> ClockExplainOut:
    e = sla.clock_explain(clock, now=now, policy=policy)
    base = _clock_out(clock, now=now, policy=policy).model_dump()
    return ClockExplainOut(
        **base,
        calendar_description=e.calendar_description,
        zone=e.zone,
        pauses=[Span(start=s, end=t) for s, t in e.pauses],
        counted=[Span(start=s, end=t, seconds=int((t - s).total_seconds())) for s, t in e.counted],
        thresholds=[Threshold(fraction=f, at=a) for f, a in e.thresholds],
        text=e.lines(),
    )


def _ticket_out(
    ticket: Ticket, *, who: Principal, now: dt.datetime, policy: Policy, detail: bool = False
) -> TicketOut:
    agent = who.is_agent
    clocks = [_clock_out(c, now=now, policy=policy) for c in selectors.latest_clocks(ticket)]
    data: dict[str, Any] = {
        "id": ticket.pk,
        "subject": ticket.subject,
        "status": ticket.status,
        "severity": ticket.severity,
        "requested_severity": ticket.requested_severity,
        "severity_reason": ticket.severity_reason,
        "suggested_severity": (ticket.suggested_severity or None) if agent else None,
        "suggestion_reason": (ticket.suggestion_reason or None) if agent else None,
        "category": ticket.category,
        "channel": ticket.channel,
        "organisation": Ref(id=ticket.organisation.pk, name=ticket.organisation.name),
        "requester": RequesterOut(
            id=ticket.requester.pk, name=ticket.requester.name, email=ticket.requester.email
        ),
        "environment": Ref(id=ticket.environment.pk, name=ticket.environment.name)
        if ticket.environment
        else None,
        "team": ticket.team.slug if ticket.team else None,
        "assignee": Ref(id=ticket.assignee.pk, name=ticket.assignee.name)
        if ticket.assignee
        else None,
        "plan": ticket.plan_id,
        "policy_version": ticket.policy_version,
        "is_production": ticket.is_production,
        "server_version": ticket.server_version,
        "flags": [FlagOut(**f) for f in selectors.flags_for(ticket, agent=agent)],
        "opened_at": ticket.opened_at,
        "updated_at": ticket.updated_at,
        "first_responded_at": ticket.first_responded_at,
        "solved_at": ticket.solved_at,
        "closed_at": ticket.closed_at,
        "due_at": ticket.due_at,
        "breached": any(c.breached for c in clocks),
        "clocks": clocks,
    }
    if detail:
        return TicketDetailOut(**data, description=ticket.description)
    return TicketOut(**data)


def _attachment_out(a: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=a.pk,
        filename=a.filename,
        size=a.size,
        sha256=a.sha256,
        content_type=a.content_type,
        internal=a.internal,
        message_id=a.message_id,
        uploaded_at=a.uploaded_at,
        uploaded_by=a.uploaded_label,
        url=f"/api/tickets/{a.ticket_id}/attachments/{a.pk}",
    )


def _message_out(m: TicketMessage) -> MessageOut:
    return MessageOut(
        id=m.pk,
        visibility=m.visibility,
        author_kind=m.author_kind,
        author=m.author_label,
        body=m.body,
        channel=m.channel,
        created_at=m.created_at,
        attachments=[_attachment_out(a) for a in m.attachments.all()],
    )


# -- cursor pagination on (sort key, id) -------------------------------------------------------


def _encode(*, sort: str, value: Any, last_id: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps([sort, value, last_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, *, sort: str, field: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        given, value, last_id = json.loads(raw)
        if given != sort or not isinstance(last_id, int):
            raise ValueError(given)
        if value is not None and field in _DATETIME_SORTS:
            value = dt.datetime.fromisoformat(value)
        return value, last_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            "the cursor is not one this API gave out for this sort", code="invalid_cursor"
        ) from None


def paginate_sorted(
    qs: QuerySet[Ticket], *, sort: str, cursor: str | None, limit: int
) -> tuple[list[Ticket], str | None]:
    """Return one page ordered by ``sort`` then id (nulls last) and the next page's cursor."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", code="invalid_input")
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    field = selectors.SORTS.get(name)
    if field is None:
        raise ValidationFailed(
            f"unknown sort {sort!r} (one of {', '.join(selectors.SORTS)}, '-' for descending)",
            code="invalid_sort",
        )
    if descending:
        qs = qs.order_by(F(field).desc(nulls_last=True), "-id")
    else:
        qs = qs.order_by(F(field).asc(nulls_last=True), "id")
    if cursor:
        value, last_id = _decode(cursor, sort=sort, field=field)
        nullable = field in selectors.NULLABLE_SORTS
        cmp, id_cmp = ("lt", "id__lt") if descending else ("gt", "id__gt")
        if value is None:
            qs = qs.filter(**{f"{field}__isnull": True, id_cmp: last_id})
        else:
            after = Q(**{f"{field}__{cmp}": value}) | Q(**{field: value, id_cmp: last_id})
            if nullable:
                after |= Q(**{f"{field}__isnull": True})
            qs = qs.filter(after)
    rows = list(qs[: limit + 1])
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        return rows, _encode(sort=sort, value=getattr(last, field), last_id=last.pk)
    return rows, None


# -- endpoints -------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> Principal:
    who = principal(request)
    require_scope(who, "read")
    return who


def _writer(request: HttpRequest) -> Principal:
    who = principal(request)
    require_scope(who, "write")
    return who


@router.post("/tickets", response={201: TicketDetailOut, **ERRORS}, summary="Open a ticket")
def ticket_create(request: HttpRequest, payload: TicketIn) -> Status[Any]:
    """Open a ticket through the door (channel ``api``).

    A contact opens for themselves; an agent gives ``requester_email`` of a contact.
    Refusals carry the door's reason code (``not_a_contact``, ``no_subscription``, ...).
    """
    who = _writer(request)
    own = who.contact.email if who.contact is not None else None
    if (
        own is not None
        and payload.requester_email
        and payload.requester_email.strip().lower() != own
    ):
        raise ValidationFailed(
            "contacts open tickets for themselves; leave requester_email out",
            code="requester_not_self",
        )
    ticket = ticket_open(
        channel="api",
        subject=payload.subject,
        description=payload.description,
        severity=payload.severity,
        category=payload.category,
        actor=actor(request),
        requester_email=payload.requester_email if who.is_agent else None,
        environment=payload.environment_id,
        actor_contact=who.contact,
    )
    # The opening returns the ticket with its relations loaded; only its clocks are read back.
    return Status(
        201, _ticket_out(ticket, who=who, now=time.now(), policy=get_policy(), detail=True)
    )


def _choice_filter(parameter: str, given: list[str], allowed: list[str]) -> None:
    """Refuse a filter value outside ``allowed`` (422 ``invalid_input``) instead of matching nothing."""
    unknown = [value for value in given if value not in allowed]
    if unknown:
        raise ValidationFailed(
            f"{parameter}: unknown value {', '.join(map(repr, unknown))}"
            f" (allowed: {', '.join(allowed)})",
            code="invalid_input",
            details={"parameter": parameter, "unknown": unknown, "allowed": allowed},
        )


@router.get("/tickets", response={200: TicketPage, **ERRORS}, summary="List tickets")
def ticket_index(request: HttpRequest, q: Query[ListQuery]) -> TicketPage:
    """List tickets a caller may see, filtered and sorted (``sort=due``, ``-opened``, ...).

    Filters: ``status``, ``severity``, ``plan`` (repeatable), ``team`` (slug or ``none``),
    ``assignee`` (agent id, ``me`` or ``none``), ``organisation``, ``breached``, ``open``.
    """
    who = _reader(request)
    refuse_unknown_query(request, *ListQuery.model_fields)
    now = time.now()
    _choice_filter("status", q.status, [s.value for s in TicketStatus])
    _choice_filter("severity", q.severity, list(get_policy().severities))
    assignee: int | None = None
    unassigned = False
    if q.assignee == "none":
        unassigned = True
    elif q.assignee == "me":
        me = Agent.objects.filter(user_id=who.user.pk).values_list("pk", flat=True).first()
        assignee = me if me is not None else -1
    elif q.assignee:
        if not q.assignee.isdigit():
            raise ValidationFailed("assignee is an agent id, 'me' or 'none'", code="invalid_input")
        assignee = int(q.assignee)
    filters = selectors.TicketFilters(
        status=tuple(q.status),
        severity=tuple(q.severity),
        plan=tuple(q.plan),
        team=q.team,
        assignee=assignee,
        unassigned=unassigned,
        organisation=q.organisation,
        breached=q.breached,
        open_only=q.open,
    )
    qs = selectors.ticket_list(
        filters=filters,
        now=now,
        organisation_id=None if who.is_agent else (who.organisation_id or -1),
    )
    rows, next_cursor = paginate_sorted(qs, sort=q.sort, cursor=q.cursor, limit=q.limit)
    policy = get_policy()
    return TicketPage(
        items=[_ticket_out(t, who=who, now=now, policy=policy) for t in rows],
        next_cursor=next_cursor,
    )


@router.get(
    "/tickets/{ticket_id}", response={200: TicketDetailOut, **ERRORS}, summary="Show a ticket"
)
def ticket_show(request: HttpRequest, ticket_id: int) -> TicketOut:
    who = _reader(request)
    ticket = access.ticket_for(who, ticket_id)
    return _ticket_out(ticket, who=who, now=time.now(), policy=get_policy(), detail=True)


@router.get(
    "/tickets/{ticket_id}/messages",
    response={200: list[MessageOut], **ERRORS},
    summary="List messages",
)
def message_index(request: HttpRequest, ticket_id: int) -> list[MessageOut]:
    """Return the conversation; internal notes only for agents."""
    who = _reader(request)
    ticket = access.ticket_for(who, ticket_id)
    rows = selectors.ticket_messages(ticket, include_internal=access.sees_internal(who))
    return [_message_out(m) for m in rows]


@router.post(
    "/tickets/{ticket_id}/messages", response={201: MessageOut, **ERRORS}, summary="Reply or note"
)
def message_create(request: HttpRequest, ticket_id: int, payload: MessageIn) -> Status[Any]:
    """Add a public reply, or an internal note with ``internal: true`` (agents only)."""
    who = _writer(request)
    ticket = access.ticket_for(who, ticket_id)
    if payload.internal:
        access.require_ticket_agent(who, doing="write internal notes")
        message = ticket_note(ticket=ticket, body=payload.body, actor=actor(request))
    else:
        message = ticket_reply(ticket=ticket, body=payload.body, actor=actor(request))
    return Status(201, _message_out(message))


@router.get(
    "/tickets/{ticket_id}/attachments",
    response={200: list[AttachmentOut], **ERRORS},
    summary="List attachments",
)
def attachment_index(request: HttpRequest, ticket_id: int) -> list[AttachmentOut]:
    who = _reader(request)
    ticket = access.ticket_for(who, ticket_id)
    rows = selectors.ticket_attachments(ticket, include_internal=access.sees_internal(who))
    return [_attachment_out(a) for a in rows]


@router.post(
    "/tickets/{ticket_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="Upload an attachment",
)
def attachment_create(
    request: HttpRequest,
    ticket_id: int,
    file: File[UploadedFile],
    message_id: Form[int | None] = None,
    internal: Form[bool] = False,  # noqa: FBT002 (a form field ninja fills by name)
) -> Status[Any]:
    """Upload a file (multipart field ``file``); over the size limit is ``attachment_too_large`` (413)."""
    who = _writer(request)
    ticket = access.ticket_for(who, ticket_id)
    limit = max_attachment_bytes()
    if (file.size or 0) > limit:
        raise AttachmentTooLarge(
            f"{file.name} is larger than the limit of {limit} bytes a file",
            details={"limit_bytes": limit},
        )
    message = None
    if message_id is not None:
        message = (
            selectors.ticket_messages(ticket, include_internal=access.sees_internal(who))
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            raise NotFound(f"no message {message_id} on ticket {ticket.pk}", code="not_found")
    if internal:
        access.require_ticket_agent(who, doing="add internal attachments")
    attachment = attachment_add(
        ticket=ticket,
        upload=Upload(file, file.name or "attachment"),
        actor=actor(request),
        message=message,
        internal=internal,
    )
    return Status(201, _attachment_out(attachment))


@router.get(
    "/tickets/{ticket_id}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    summary="Download",
)
def attachment_download(request: HttpRequest, ticket_id: int, attachment_id: int) -> FileResponse:
    """Stream the file back with its detected content type (internal ones: agents only)."""
    who = _reader(request)
    ticket = access.ticket_for(who, ticket_id)
    attachment = access.attachment_for(who, ticket, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Digest"] = f"sha-256={base64.b64encode(bytes.fromhex(attachment.sha256)).decode()}"
    return response


@router.get(
    "/tickets/{ticket_id}/clocks", response={200: list[ClockExplainOut], **ERRORS}, summary="Clocks"
)
def clock_index(
    request: HttpRequest,
    ticket_id: int,
    history: bool = False,  # noqa: FBT001, FBT002 (a query parameter ninja fills by name)
) -> list[ClockExplainOut]:
    """Return the ticket's current clocks (``history=true``: every cycle) with explanations."""
    who = _reader(request)
    ticket = access.ticket_for(who, ticket_id)
    clocks = list(selectors.ticket_clocks(ticket)) if history else selectors.latest_clocks(ticket)
    now, policy = time.now(), get_policy()
    return [_explain_out(c, now=now, policy=policy) for c in clocks]


@router.post(
    "/tickets/{ticket_id}/severity",
    response={200: TicketDetailOut, **ERRORS},
    summary="Set severity",
)
def severity_update(request: HttpRequest, ticket_id: int, payload: SeverityIn) -> TicketOut:
    """Change the severity with a reason (agents); the clocks are re-targeted."""
    who = _writer(request)
    ticket = access.ticket_for(who, ticket_id)
    access.require_ticket_agent(who, doing="change a ticket's severity")
    ticket_severity_set(
        ticket=ticket, severity=payload.severity, reason=payload.reason, actor=actor(request)
    )
    return ticket_show(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/status", response={200: TicketDetailOut, **ERRORS}, summary="Set status"
)
def status_update(request: HttpRequest, ticket_id: int, payload: StatusIn) -> TicketOut:
    """Change the status (agents); a contact may only mark their ticket ``solved``."""
    who = _writer(request)
    ticket = access.ticket_for(who, ticket_id)
    ticket_status_set(
        ticket=ticket, status=payload.status, reason=payload.reason, actor=actor(request)
    )
    return ticket_show(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/assignee", response={200: TicketDetailOut, **ERRORS}, summary="Assign"
)
def assignee_update(request: HttpRequest, ticket_id: int, payload: AssigneeIn) -> TicketOut:
    """Assign to an agent (``agent_id``; null unassigns), optionally moving to ``team`` (slug)."""
    who = _writer(request)
    ticket = access.ticket_for(who, ticket_id)
    access.require_ticket_agent(who, doing="assign tickets")
    agent = None
    if payload.agent_id is not None:
        agent = Agent.objects.select_related("user").filter(pk=payload.agent_id).first()
        if agent is None:
            raise NotFound(
                f"no agent {payload.agent_id}", code="not_found", details={"type": "agent"}
            )
    team = None
    if payload.team:
        team = Team.objects.filter(slug=payload.team).first()
        if team is None:
            raise NotFound(f"no team {payload.team!r}", code="not_found", details={"type": "team"})
    ticket_assign(
        ticket=ticket, agent=agent, team=team, reason=payload.reason, actor=actor(request)
    )
    return ticket_show(request, ticket_id)


@router.get(
    "/tickets/{ticket_id}/events",
    response={200: list[EventOut], **ERRORS},
    summary="Ledger (agents)",
)
def event_index(request: HttpRequest, ticket_id: int) -> list[EventOut]:
    """Return the ticket's ledger of events (agents only: it names internal notes)."""
    who = _reader(request)
    ticket = access.ticket_for(who, ticket_id)
    access.require_ticket_agent(who, doing="read a ticket's ledger")
    return [
        EventOut(
            id=e.pk,
            kind=e.kind,
            at=e.at,
            actor=e.actor_label,
            via=e.via,
            clock_id=e.clock_id,
            data=e.data,
        )
        for e in selectors.ticket_events(ticket)
    ]
