"""Reads the web desk needs beyond the tickets and accounts selectors.

Every list here costs a fixed number of queries whatever its length: one for the page
(its relations joined), one for the clocks of the page (a prefetch).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import F, Prefetch, Q, QuerySet

from sladesk.accounts.door import Decision, request_check
from sladesk.accounts.models import Agent, Contact, Environment, Organisation, Subscription
from sladesk.accounts.policy import desk_date
from sladesk.accounts.releases import SupportStatus
from sladesk.accounts.selectors import release_support, subscription_governing
from sladesk.kb.models import Article
from sladesk.kb.selectors import article_search, crude_stem, search_terms
from sladesk.policy import Policy
from sladesk.sla import first_response_due
from sladesk.tickets import sla as ticket_sla
from sladesk.tickets.models import Ticket, TicketClock
from sladesk.tickets.selectors import latest_clocks, ticket_base
from sladesk.web import wording

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CLOSED = ("solved", "closed")
QUEUES = {
    "mine": "Mine",
    "team": "My teams",
    "senior": "Senior team",
    "unassigned": "Unassigned",
    "soon": "Breaching soon",
    "breached": "Breached",
    "all": "All open",
}
#: "Breaching soon": a running clock due within this long.
SOON = dt.timedelta(hours=2)
PAGE = 50


# -- clocks of a row --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClockView:
    """A clock as a row or a ticket page shows it: state, due, first warning, calendar zone."""

    clock: TicketClock
    state: ticket_sla.ClockState
    warn_at: dt.datetime | None
    zone: str
    target_words: str = ""  # the target as a customer reads it

    @property
    def kind(self) -> str:
        return self.clock.kind

    @property
    def met_after(self) -> dt.timedelta | None:
        """Wall time from the clock's start to when it was met."""
        if self.state.met_at is None:
            return None
        return self.state.met_at - self.state.started_at


def clock_view(clock: TicketClock, *, now: dt.datetime, policy: Policy) -> ClockView:
    state = ticket_sla.clock_state(clock, now=now, policy=policy)
    warn_at = None
    if state.state == "running" and clock.calendar in policy.calendars:
        instants = ticket_sla.threshold_instants(clock, policy=policy)
        warn_at = instants[0][1] if instants else None
    zone = (
        ticket_sla.zone_of(policy, clock.calendar)
        if clock.calendar in policy.calendars
        else policy.zone
    )
    words = wording.clock_target_words(
        label=clock.target_label,
        seconds=clock.target_seconds,
        calendar_id=clock.calendar,
        policy=policy,
    )
    return ClockView(clock=clock, state=state, warn_at=warn_at, zone=zone, target_words=words)


def ticket_clock_views(ticket: Ticket, *, now: dt.datetime, policy: Policy) -> list[ClockView]:
    return [clock_view(c, now=now, policy=policy) for c in latest_clocks(ticket)]


def nearest_running(views: list[ClockView]) -> ClockView | None:
    """Return the running clock due first (what a queue row's badge shows)."""
    running = [v for v in views if v.state.state == "running" and v.state.due_at is not None]
    if running:
        return min(running, key=lambda v: v.state.due_at or dt.datetime.max.replace(tzinfo=dt.UTC))
    return views[0] if views else None


@dataclass(frozen=True, slots=True)
class Row:
    ticket: Ticket
    clock: ClockView | None
    clocks: list[ClockView] = field(default_factory=list)


def rows_for(tickets: list[Ticket], *, now: dt.datetime, policy: Policy) -> list[Row]:
    rows = []
    for ticket in tickets:
        views = ticket_clock_views(ticket, now=now, policy=policy)
        rows.append(Row(ticket=ticket, clock=nearest_running(views), clocks=views))
    return rows


def _with_clocks(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.prefetch_related(
        Prefetch("clocks", queryset=TicketClock.objects.order_by("kind", "seq"))
    )


# -- the console's queues ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilters:
    plan: str = ""
    severity: str = ""
    organisation: str = ""  # slug or name (either matches, case-insensitive)
    status: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[Row]
    next_cursor: str | None


def _cursor_q(cursor: str) -> Q | None:
    match = re.fullmatch(r"(?P<due>[0-9T:.+\-]*)_(?P<id>\d+)", cursor)
    if match is None:
        return None
    last_id = int(match["id"])
    if not match["due"]:
        return Q(due_at__isnull=True, id__gt=last_id)
    try:
        due = dt.datetime.fromisoformat(match["due"])
    except ValueError:
        return None
    return Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id) | Q(due_at__isnull=True)


def queue_tickets(
    *,
    agent: Agent | None,
    queue: str,
    filters: QueueFilters,
    now: dt.datetime,
    team_ids: list[int] | None = None,
) -> QuerySet[Ticket]:
    """Return the tickets of ``queue`` (open ones unless a status is asked), nearest due first."""
    qs = ticket_base()
    qs = qs.filter(status=filters.status) if filters.status else qs.exclude(status__in=CLOSED)
    if queue == "mine":
        qs = qs.filter(assignee=agent) if agent is not None else qs.none()
    elif queue == "team":
        qs = qs.filter(team_id__in=team_ids or [])
    elif queue == "senior":
        qs = qs.filter(team__slug="senior")
    elif queue == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif queue == "soon":
        qs = qs.filter(due_at__gt=now, due_at__lte=now + SOON)
    elif queue == "breached":
        # A running clock past its due (a ticket's due_at is its earliest running due).
        qs = qs.filter(due_at__lte=now)
    if filters.plan:
        qs = qs.filter(plan_id=filters.plan)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.organisation:
        qs = qs.filter(
            Q(organisation__slug=filters.organisation)
            | Q(organisation__name__iexact=filters.organisation)
        )
    if filters.category:
        qs = qs.filter(category=filters.category)
    return qs.order_by(F("due_at").asc(nulls_last=True), "id")


def queue_page(
    *,
    agent: Agent | None,
    queue: str,
    filters: QueueFilters,
    now: dt.datetime,
    policy: Policy,
    cursor: str = "",
    limit: int = PAGE,
) -> QueuePage:
    team_ids = list(agent.teams.values_list("id", flat=True)) if agent and queue == "team" else []
    qs = queue_tickets(agent=agent, queue=queue, filters=filters, now=now, team_ids=team_ids)
    if cursor:
        where = _cursor_q(cursor)
        if where is not None:
            qs = qs.filter(where)
    tickets = list(_with_clocks(qs)[: limit + 1])
    more = len(tickets) > limit
    tickets = tickets[:limit]
    next_cursor = None
    if more and tickets:
        last = tickets[-1]
        next_cursor = f"{last.due_at.isoformat() if last.due_at else ''}_{last.pk}"
    return QueuePage(rows=rows_for(tickets, now=now, policy=policy), next_cursor=next_cursor)


def agent_of(principal_user_id: int) -> Agent | None:
    return Agent.objects.filter(user_id=principal_user_id).first()


# -- the portal's list ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortalFilters:
    state: str = "open"  # open | closed | all
    severity: str = ""
    mine_only: bool = False
    q: str = ""


def portal_tickets(
    *, organisation_id: int, filters: PortalFilters, contact: Contact | None = None
) -> QuerySet[Ticket]:
    qs = ticket_base().filter(organisation_id=organisation_id)
    if filters.state == "open":
        qs = qs.exclude(status__in=CLOSED)
    elif filters.state == "closed":
        qs = qs.filter(status__in=CLOSED)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.mine_only and contact is not None:
        qs = qs.filter(requester=contact)
    if filters.q:
        qs = qs.filter(Q(subject__icontains=filters.q) | Q(description__icontains=filters.q))
    return _with_clocks(qs.order_by("-opened_at", "-id"))


# -- the new-ticket form ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelOption:
    id: str
    name: str
    characteristics: tuple[str, ...]
    effective: str  # the level the ticket would get (L4 for non-production)
    target: str  # "1 h, around the clock" (customer words)
    due: dt.datetime | None
    zone: str
    target_id: str = ""  # "1 h in always" (the policy's ids, for a title attribute)


def intake_context(
    *,
    user: User,
    organisation_id: int,
    now: dt.datetime,
    environment_id: int | None,
    policy: Policy,
) -> tuple[Decision, list[Environment], list[LevelOption]]:
    """Return what the new-ticket form shows: the door's answer, the environments, each level's due."""
    environments = list(
        Environment.objects.active().filter(organisation_id=organisation_id).order_by("name")
    )
    chosen = next((e for e in environments if e.pk == environment_id), None)
    decision = request_check(channel="portal", at=now, user=user, environment=chosen, policy=policy)
    production = chosen.is_production if chosen is not None else True
    options = []
    plan = policy.plans.get(decision.plan_id or "")
    for level in policy.severities.values():
        effective = level.id if production else policy.production.non_production_severity
        due = None
        target = target_id = ""
        zone = policy.zone
        if plan is not None and effective in plan.first_response:
            spec = plan.first_response[effective]
            target = wording.target_words(spec, policy)
            target_id = spec.label()
            zone = ticket_sla.zone_of(policy, spec.calendar)
            due = first_response_due(plan.id, level.id, now, production=production, policy=policy)
        options.append(
            LevelOption(
                id=level.id,
                name=level.name,
                characteristics=level.characteristics,
                effective=effective,
                target=target,
                due=due,
                zone=zone,
                target_id=target_id,
            )
        )
    return decision, environments, options


_WORD = re.compile(r"[a-z0-9]{3,}")
_COMMON = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "not",
        "are",
        "was",
        "has",
        "have",
        "from",
        "this",
        "that",
        "our",
        "all",
        "any",
    ]
)


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _COMMON}


def likely_duplicates(
    *, organisation_id: int, subject: str, limit: int = 3, scan: int = 200
) -> list[Ticket]:
    """Return the organisation's open tickets whose subject shares most words with ``subject``.

    Similarity is the Jaccard index of content words (at least 0.5); the scan is bounded to
    the organisation's ``scan`` most recent open tickets.
    """
    words = _words(subject)
    if len(words) < 2:
        return []
    candidates = (
        Ticket.objects.filter(organisation_id=organisation_id)
        .exclude(status__in=CLOSED)
        .only("id", "subject", "status", "opened_at", "severity")
        .order_by("-opened_at")[:scan]
    )
    scored = []
    for ticket in candidates:
        other = _words(ticket.subject)
        if not other:
            continue
        score = len(words & other) / len(words | other)
        if score >= 0.5:
            scored.append((score, ticket))
    scored.sort(key=lambda p: (-p[0], -p[1].pk))
    return [t for _, t in scored[:limit]]


# -- the console's customer panel -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerPanel:
    organisation: Organisation
    subscription: Subscription | None
    subscription_valid: bool
    plan_name: str
    named_contacts: list[Contact]
    environment: Environment | None
    release: SupportStatus | None
    other_open: list[Ticket]


def customer_panel(ticket: Ticket, *, now: dt.datetime, policy: Policy) -> CustomerPanel:
    today = desk_date(at=now, policy=policy)
    organisation = ticket.organisation
    subscription = subscription_governing(organisation=organisation, day=today)
    valid = subscription is not None and subscription.is_valid_on(today)
    plan = policy.plans.get(subscription.plan_id if subscription else ticket.plan_id)
    named = list(Contact.objects.active().filter(organisation=organisation, named=True))
    env = ticket.environment
    release = release_support(version=env.version, on=today, policy=policy) if env else None
    others = list(
        Ticket.objects.filter(organisation=organisation)
        .exclude(status__in=CLOSED)
        .exclude(pk=ticket.pk)
        .only("id", "subject", "severity", "status", "due_at")
        .order_by(F("due_at").asc(nulls_last=True), "id")[:10]
    )
    return CustomerPanel(
        organisation=organisation,
        subscription=subscription,
        subscription_valid=valid,
        plan_name=plan.marketing_name if plan else (ticket.plan_id or "no plan"),
        named_contacts=named,
        environment=env,
        release=release,
        other_open=others,
    )


# -- article suggestions on the new-ticket form ----------------------------------------

#: Words too general to make an article relevant on their own ("users cannot log in").
GENERIC_WORDS = frozenset(
    [
        "user", "users", "cannot", "can't", "does", "doesn", "not", "working", "work",
        "works", "issue", "issues", "problem", "problems", "error", "errors", "help",
        "please", "after", "before", "when", "with", "without", "some", "all", "any",
        "our", "your", "their", "every", "everyone", "anymore", "still", "again", "since",
        "today", "now", "get", "gets", "getting", "got", "unable", "fail", "fails",
        "failed", "server", "mattermost", "question",
    ]
)  # fmt: skip
SUGGESTION_LIMIT = 5


def _significant(subject: str) -> list[str]:
    terms = search_terms(subject)
    return [t for t in terms if len(t) >= 4 and t not in GENERIC_WORDS]


def suggest_articles(subject: str, *, limit: int = SUGGESTION_LIMIT) -> list[Article]:
    """Return public articles sharing a significant word with ``subject``, best first.

    The knowledge base's search matches any word anywhere; for suggestions while typing
    only articles naming at least one significant word (not "users", "cannot", ...) of
    the subject count, ranked by where (title, summary, body) and how many match.
    """
    words = _significant(subject)
    if not words:
        return []
    candidates = article_search(" ".join(words), include_internal=False, limit=25)
    patterns = [re.compile(rf"\b{re.escape(crude_stem(w))}", re.IGNORECASE) for w in words]
    scored = []
    for index, article in enumerate(candidates):
        score = 0
        for pattern in patterns:
            if pattern.search(article.title):
                score += 6
            elif pattern.search(article.summary or ""):
                score += 3
            elif pattern.search(article.body or ""):
                score += 1
        if score:
            scored.append((-score, index, article))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [article for _, _, article in scored[:limit]]


#: At most this many organisations are offered in the console's filter list.
ORGANISATION_CHOICES = 200


def organisation_choices(limit: int = ORGANISATION_CHOICES) -> list[tuple[str, str]]:
    """Return ``(slug, name)`` of the organisations, by name (bounded for the filter list)."""
    return list(Organisation.objects.order_by("name").values_list("slug", "name")[:limit])
