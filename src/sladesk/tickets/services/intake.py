"""Opening a ticket: the door, the entitlement snapshot, triage, routing and the first clocks.

Every channel (portal, e-mail, API, CLI, chat) opens tickets through ``ticket_open``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from sladesk.accounts.actor import Actor
from sladesk.accounts.door import Decision, request_check
from sladesk.accounts.models import Agent, Contact, Environment, Organisation, Team
from sladesk.accounts.selectors import team_by_slug
from sladesk.core.exceptions import ValidationFailed
from sladesk.core.rows import Part, Row, insert_linked
from sladesk.tickets import triage
from sladesk.tickets.models import (
    AgentAvailability,
    Category,
    Channel,
    ClockKind,
    EventKind,
    Status,
    TeamRotation,
    Ticket,
    TicketMessage,
)
from sladesk.tickets.services.attachments import Upload, attachment_add
from sladesk.tickets.services.clocks import clock_new, clock_started_data
from sladesk.tickets.services.common import (
    EventItem,
    clean_text,
    event_rows,
    events_notify,
    events_record,
    now_or,
    policy_or,
    severity_check,
)

if TYPE_CHECKING:
    from sladesk.policy import Policy

SENIOR_TEAM = "senior"
DEFAULT_TEAM = "support"
SUBJECT_LIMIT = 300
#: Door flags the customer is told about too; the others are for agents only.
DOOR_FLAGS_FOR_EVERYONE = frozenset(
    {"non_production", "unsupported_release", "release_support_ending"}
)


def category_check(category: str) -> str:
    if category not in Category.values:
        raise ValidationFailed(
            f"unknown category {category!r} (one of {', '.join(Category.values)})",
            code="unknown_category",
            details={"category": category, "known": list(Category.values)},
        )
    return category


def default_team_slug() -> str:
    """Return the team non-senior tickets go to (setting ``SLADESK_DEFAULT_TEAM``, "support")."""
    return str(getattr(settings, "SLADESK_DEFAULT_TEAM", DEFAULT_TEAM))


def _on_shift_sql(team: str) -> str:
    """Return the FROM/WHERE of "agents (``a``) of team ``team`` on shift, active users".

    "Active" is looked up per agent (a correlated subquery by primary key): joined,
    PostgreSQL hashed the whole user table, contacts included, on every opening.
    """
    agent = Agent._meta.db_table
    member = Agent.teams.through._meta.db_table
    shift = AgentAvailability._meta.db_table
    user = Agent._meta.get_field("user").related_model._meta.db_table
    return (
        f"FROM {member} m JOIN {shift} s ON s.agent_id = m.agent_id "
        f"JOIN {agent} a ON a.id = m.agent_id "
        f"WHERE m.team_id = {team} AND s.on_shift "
        f"AND (SELECT u.is_active FROM {user} u WHERE u.id = a.user_id)"
    )


def _rotation_sql(team: str = "%s") -> str:
    """Return the one statement that moves a team's rotation and returns the chosen agent.

    The next agent on shift after the last one (in id order), else the first one on
    shift (wrapping around). ``team`` is the SQL of the team's id: a parameter by default,
    or a subquery (``team_and_next_agent``). One aggregate over the agents on
    shift finds both. With nobody on shift the position is kept (the last agent is
    returned, and ``_assignee`` finds them off shift), so the rotation resumes where it
    stopped instead of at the lowest id.
    """
    rotation = TeamRotation._meta.db_table
    return (
        f"UPDATE {rotation} SET last_agent_id = COALESCE(("
        f"SELECT COALESCE(MIN(CASE WHEN a.id > {rotation}.last_agent_id THEN a.id END), "
        f"MIN(a.id)) {_on_shift_sql(f'{rotation}.team_id')}), last_agent_id"
        f") WHERE team_id = {team} RETURNING last_agent_id"
    )


_AGENT = Row(Part(Agent, "a"))


def _assignee(agent_id: int, team: Team) -> Agent | None:
    """Return agent ``agent_id`` if they are on shift in ``team`` now, else None."""
    found = _AGENT.one(
        f"SELECT {_AGENT.columns} {_on_shift_sql('%s')} AND a.id = %s", [team.pk, agent_id]
    )
    return None if found is None else found[0]


def next_agent_on_shift(team: Team) -> Agent | None:
    """Return the team's next agent on shift in round-robin order, and move the rotation.

    Agents on shift (``AgentAvailability.on_shift``, active users) are taken in id order,
    starting after the last one who received a ticket in this team, wrapping around.
    The rotation moves in one ``UPDATE ... RETURNING`` that reads the agents on shift
    itself, so two concurrent intakes never pick the same agent's turn. Outside a
    transaction (``ticket_open`` moves it before its own) the team's rotation row is
    locked for that statement only, not until a whole opening commits.
    """
    if connection.features.can_return_columns_from_insert:
        with connection.cursor() as cursor:
            cursor.execute(_rotation_sql(), [team.pk])
            row = cursor.fetchone()
        moved = row is not None
        chosen = row[0] if row is not None else None
    else:  # pragma: no cover - SQLite before 3.35: writers are serialised anyway
        with transaction.atomic():
            on_shift = Agent.objects.filter(
                teams=OuterRef("team_id"), availability__on_shift=True, user__is_active=True
            ).order_by("pk")
            moved = bool(
                TeamRotation.objects.filter(team=team).update(
                    last_agent=Coalesce(
                        Subquery(
                            on_shift.filter(pk__gt=OuterRef("last_agent_id")).values("pk")[:1]
                        ),
                        Subquery(on_shift.values("pk")[:1]),
                    )
                )
            )
            chosen = (
                TeamRotation.objects.filter(team=team)
                .values_list("last_agent_id", flat=True)
                .first()
            )
    if not moved:  # the team's first ticket: start its rotation, then move it
        TeamRotation.objects.get_or_create(team=team)
        return next_agent_on_shift(team)
    return _assignee(chosen, team) if chosen is not None else None


def _route(*, policy: Policy, plan_id: str) -> tuple[str, str]:
    """Return the slug of the team for a new ticket of ``plan_id`` and why."""
    plan = policy.plans.get(plan_id)
    if plan is not None and plan.entitlements.senior_routing:
        return SENIOR_TEAM, f"{plan_id}: direct access to the senior support team"
    return default_team_slug(), "default team"


_TEAM = Row(Part(Team, "t"))
_TEAM_AND_AGENT = Row(Part(Team, "t"), Part(Agent, "a", optional=True))


def team_and_next_agent(slug: str) -> tuple[Team | None, Agent | None]:
    """Return the team ``slug`` (None if there is none) and its next agent on shift.

    ``next_agent_on_shift`` of the team, with the team read in the same statement on
    PostgreSQL: the team, the rotation's move and the chosen agent in one round trip
    (three otherwise), as every opening routes.
    """
    if connection.vendor != "postgresql":
        team = team_by_slug(slug)
        return team, (next_agent_on_shift(team) if team is not None else None)
    sql = (
        f"WITH t AS (SELECT {_TEAM.columns} "
        f"FROM {Team._meta.db_table} t WHERE t.slug = %s), "
        f"r AS ({_rotation_sql('(SELECT id FROM t)')}) "
        f"SELECT {_TEAM_AND_AGENT.columns}, (SELECT count(*) FROM r) FROM t "
        f"LEFT JOIN r ON true LEFT JOIN {Agent._meta.db_table} a ON a.id = r.last_agent_id "
        f"AND EXISTS (SELECT 1 {_on_shift_sql('t.id')} AND a.id = r.last_agent_id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    if row is None:
        return None, None
    team, agent = _TEAM_AND_AGENT.read(row[:-1], alias=connection.alias)
    if not row[-1]:  # the team's first ticket: start its rotation, then move it
        TeamRotation.objects.get_or_create(team=team)
        return team_and_next_agent(slug)
    return team, agent


def _door_flags(decision: Decision) -> list[dict[str, Any]]:
    flags = []
    for reason in decision.flags:
        if reason.code == "unsupported_release":
            continue  # becomes the scope flag with the contract's reason
        audience = triage.EVERYONE if reason.code in DOOR_FLAGS_FOR_EVERYONE else triage.AGENTS
        flags.append(
            triage.Flag(
                code=reason.code,
                title=reason.code.replace("_", " "),
                message=reason.message,
                audience=audience,
            ).as_dict()
        )
    return flags


def ticket_open(
    *,
    channel: str,
    subject: str,
    description: str,
    severity: str,
    category: str,
    actor: Actor,
    requester_email: str | None = None,
    organisation: Organisation | int | str | None = None,
    environment: Environment | int | str | None = None,
    attachments: Sequence[Upload] = (),
    now: dt.datetime | None = None,
    policy: Policy | None = None,
    actor_contact: Contact | None = None,
    severity_reason: str = "as requested",
) -> Ticket:
    """Open a ticket after the door lets the request in; return it.

    The requester is ``requester_email`` (e-mail, chat, an agent typing for a contact)
    or else the signed-in contact behind ``actor``. Refusals are the door's
    ``RequestRefused`` with its reason codes. Then: snapshot the entitlement (plan,
    policy version, production flag, server version), triage (non-production forces
    the policy's level with the reason; a suggested level; scope flags), route (Premier
    to the senior team, round-robin among agents on shift) and start the clocks.
    ``actor_contact`` is the signed-in contact behind ``actor`` when the caller has
    already looked it up (saves the door reading it again). ``severity_reason`` says
    why ``severity`` is the level when the requester did not choose it (an e-mail
    without a level gets the desk's default); the non-production rule overrides it.
    """
    now = now_or(now)
    policy = policy_or(policy)
    if channel not in Channel.values:
        raise ValidationFailed(
            f"unknown channel {channel!r} (one of {', '.join(Channel.values)})",
            code="unknown_channel",
        )
    subject = " ".join(clean_text(subject, field="subject", limit=SUBJECT_LIMIT).split())
    description = clean_text(description, field="description")
    severity_check(policy, severity)
    category_check(category)
    if requester_email is None and actor.user is None:
        raise ValidationFailed("give the requester's e-mail address", code="requester_required")

    decision = request_check(
        channel=channel,
        at=now,
        requester_email=requester_email,
        user=actor.user if requester_email is None else None,
        organisation=organisation,
        environment=environment,
        policy=policy,
        user_contact=actor_contact if requester_email is None else None,
    )
    decision.raise_if_refused()
    assert decision.organisation is not None and decision.contact is not None
    plan_id = decision.plan_id or ""
    env = decision.environment
    production = env.is_production if env is not None else True

    # Triage: the production rule first (policy, "Severity levels"), then a suggestion.
    effective = severity
    if not production:
        effective = policy.production.non_production_severity
        assert env is not None
        severity_reason = (
            f"requested {severity}; {env.name} is not production, so the ticket is {effective} "
            f'(policy, "Severity levels")'
        )
    text = f"{subject}\n{description}"
    suggestion = triage.suggest_severity(policy, text=text)
    flags = _door_flags(decision)
    if env is None:
        flags.append(
            triage.Flag(
                code="environment_unknown",
                title="environment unknown",
                message="no environment named: treated as production until an agent knows better",
                audience=triage.AGENTS,
            ).as_dict()
        )
    flags += [
        f.as_dict()
        for f in triage.scope_flags(
            policy,
            subject=subject,
            description=description,
            category=category,
            attachment_names=[u.filename for u in attachments],
            door_flags=[(r.code, r.message) for r in decision.flags],
        )
    ]
    team_slug, route_reason = _route(policy=policy, plan_id=plan_id)
    # Before the opening's own transaction: a refused or failed opening may cost an agent
    # a turn, but openings for one team do not queue behind each other's commits.
    team, assignee = team_and_next_agent(team_slug)
    # Without files, the opening is one statement on PostgreSQL (``insert_linked``: the
    # ticket, its message, clocks and ledger together), atomic without a transaction of
    # its own. Files are added one by one after the ticket row, so with them it all runs
    # in a transaction; no savepoint of its own inside a caller's (a failure fails the
    # caller's transaction, or its savepoint: mail processing makes one when files came,
    # so a refused attachment leaves nothing behind).
    with transaction.atomic(savepoint=False) if attachments else contextlib.nullcontext():
        ticket = Ticket(
            organisation=decision.organisation,
            environment=env,
            requester=decision.contact,
            subscription=decision.subscription,
            subject=subject,
            description=description,
            category=category,
            severity=effective,
            severity_rank=policy.severities[effective].rank,
            requested_severity=severity,
            severity_reason=severity_reason,
            suggested_severity=suggestion.severity if suggestion else "",
            suggestion_reason=suggestion.reason if suggestion else "",
            status=Status.NEW,
            channel=channel,
            team=team,
            assignee=assignee,
            plan_id=plan_id,
            policy_version=decision.policy_version,
            is_production=production,
            server_version=env.version if env is not None else "",
            flags=flags,
            opened_at=now,
            updated_at=now,
        )
        clocks = [
            clock
            for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION)
            if (clock := clock_new(ticket=ticket, kind=kind, start=now, policy=policy, seq=1))
        ]
        dues = [c.due_at for c in clocks if c.due_at is not None]
        ticket.due_at = min(dues) if dues else None
        message = TicketMessage(
            ticket=ticket,
            visibility=TicketMessage.Visibility.PUBLIC,
            author_kind=TicketMessage.AuthorKind.CONTACT,
            author=decision.contact.user,
            author_label=f"{decision.contact.name} <{decision.contact.email}>",
            body=description,
            channel=channel,
            created_at=now,
        )
        events: list[EventItem] = [
            (
                EventKind.OPENED,
                {
                    "channel": channel,
                    "requester": decision.contact.email,
                    "plan": plan_id,
                    "policy_version": decision.policy_version,
                    "production": production,
                    "environment": env.pk if env is not None else None,
                    "server_version": ticket.server_version,
                    "door_flags": [f.as_dict() for f in decision.flags],
                },
                None,
            ),
            (
                EventKind.TRIAGED,
                {
                    "requested_severity": severity,
                    "severity": effective,
                    "reason": severity_reason,
                    "suggested_severity": ticket.suggested_severity,
                    "suggestion_reason": ticket.suggestion_reason,
                    "flags": flags,
                },
                None,
            ),
        ]
        if attachments:
            # The ledger keeps its order: the opening, then the files, then the clocks.
            insert_linked([ticket], [message])
            events_record(ticket=ticket, actor=actor, at=now, events=events)
            events = []
            # Files sent with the request are the requester's, whoever typed it in.
            requester = Actor(user=decision.contact.user, via=actor.via, label=message.author_label)
            for upload in attachments:
                attachment_add(
                    ticket=ticket, upload=upload, actor=requester, message=message, now=now
                )

        events += [
            (EventKind.CLOCK_STARTED, clock_started_data(c, reason="opened"), c) for c in clocks
        ]

        events.append(
            (
                EventKind.ASSIGNED,
                {
                    "team": team.slug if team else None,
                    "assignee": assignee.pk if assignee else None,
                    "assignee_name": assignee.name if assignee else None,
                    "reason": f"{route_reason}; "
                    + (
                        "round robin among agents on shift"
                        if assignee
                        else "no agent of the team is on shift"
                    ),
                },
                None,
            )
        )
        ledger = event_rows(ticket=ticket, actor=actor, at=now, events=events)
        if attachments:
            insert_linked(clocks, ledger)
        else:
            insert_linked([ticket], [message], clocks, ledger)
        events_notify(ledger)
        ticket.opened_message = message
        ticket.opened_clocks = tuple(clocks)
        return ticket
