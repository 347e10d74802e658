"""The SLA sweep: record each warning threshold and each breach of a clock exactly once.

``sla_sweep(now=...)`` selects the clocks whose ``next_check_at`` has come (a partial
index on non-null values, so the cost grows with the clocks crossing, not with the
open tickets), and for each crossing found by ``sla.clock_crossings``:

- writes one ticket event (``clock_warning`` or ``clock_breached``) with an idempotency
  key (``clock:<id>:warn:<i>:t<target seconds>``, ``clock:<id>:breach``; the key column
  is unique),
- advances the clock's ``warned`` / ``breached`` and recomputes ``next_check_at``,
- enqueues notifications in the outbox (the assignee in-app, or the team's agents on
  shift when nobody is assigned, plus a log line), deduplicated by key,

all in one transaction. Exactly once with several workers: on PostgreSQL the clocks
and their tickets are locked with ``FOR NO KEY UPDATE SKIP LOCKED`` (a worker skips the
clocks another one is sweeping, and the tickets a service is changing: those are swept
next time, after the service recomputed their ``next_check_at``); on SQLite the
``IMMEDIATE`` transaction takes the database's write lock before the select, so
sweeps run one after the other and each sees what the previous one recorded. The
unique keys are a second line of defence. Running the sweep twice at the same ``now``
records nothing new.

Threshold events carry the instant the threshold was crossed (``at``); the instant
the sweep noticed is in ``data["recorded_at"]``. When one sweep finds several
crossings of a clock (the worker was down), each is recorded but only the last (the
most urgent) is notified.
"""

from __future__ import annotations

import datetime as dt
import logging
import time as _time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from sladesk.accounts.models import Agent
from sladesk.notifications.services import Draft, notifications_enqueue
from sladesk.tickets import sla
from sladesk.tickets.models import EventKind, TicketClock, TicketEvent
from sladesk.tickets.services.common import jsonable, now_or, policy_or

if TYPE_CHECKING:
    from sladesk.policy import Policy
    from sladesk.tickets.models import Ticket

logger = logging.getLogger("sladesk.sweep")

#: Clocks handled in one transaction; a sweep that hits it says so (``more``).
DEFAULT_LIMIT = 1000
SYSTEM_LABEL = "SLA sweep"
#: A clock whose crossings cannot be computed is looked at again this much later.
BROKEN_RETRY = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What one sweep transaction did."""

    clocks: int = 0  # clocks selected (due for a check and not locked elsewhere)
    warnings: int = 0  # warning events recorded
    breaches: int = 0  # breach events recorded
    notifications: int = 0  # notifications enqueued (before deduplication)
    more: bool = False  # the limit was reached: more clocks may be due
    seconds: float = field(default=0.0, compare=False)

    @property
    def events(self) -> int:
        return self.warnings + self.breaches

    def __str__(self) -> str:
        return (
            f"{self.clocks} clock(s) checked, {self.warnings} warning(s), "
            f"{self.breaches} breach(es), {self.notifications} notification(s) "
            f"in {self.seconds * 1000:.1f} ms" + (" (more due)" if self.more else "")
        )


def warning_key(clock: TicketClock, index: int) -> str:
    """Return the idempotency key of warning threshold ``index`` of ``clock``.

    The target is part of the key: a re-target that lowers the urgency resets the
    recorded warnings (docs/tickets.md), and the new 75 % must be recordable.
    """
    return f"clock:{clock.pk}:warn:{index}:t{clock.target_seconds}"


def breach_key(clock: TicketClock) -> str:
    return f"clock:{clock.pk}:breach"


def _event(
    clock: TicketClock, crossing: sla.Crossing, *, now: dt.datetime, ticket: Ticket
) -> TicketEvent:
    data: dict[str, Any] = {
        "clock": clock.kind,
        "seq": clock.seq,
        "severity": clock.severity,
        "target": clock.target_label,
        "due_at": clock.due_at,
        "recorded_at": now,
    }
    if crossing.kind == "warning":
        assert crossing.index is not None
        kind = EventKind.CLOCK_WARNING
        key = warning_key(clock, crossing.index)
        data |= {"threshold": crossing.index, "fraction": crossing.fraction}
    else:
        kind = EventKind.CLOCK_BREACHED
        key = breach_key(clock)
    return TicketEvent(
        ticket=ticket,
        kind=kind,
        at=crossing.at,
        actor=None,
        actor_label=SYSTEM_LABEL,
        via="system",
        clock=clock,
        data=jsonable(data),
        key=key,
    )


def _text(clock: TicketClock, crossing: sla.Crossing, ticket: Ticket) -> str:
    what = clock.kind.replace("_", " ")
    if crossing.kind == "breach":
        return f"ticket #{ticket.pk} ({ticket.severity}): {what} is past its due"
    return (
        f"ticket #{ticket.pk} ({ticket.severity}): {what} has used "
        f"{crossing.fraction or 0:.0%} of its {clock.target_label}"
    )


def _drafts(
    clock: TicketClock,
    crossing: sla.Crossing,
    *,
    event_key: str,
    ticket: Ticket,
    team_users: dict[int, list[int]],
) -> list[Draft]:
    kind = "sla.breach" if crossing.kind == "breach" else "sla.warning"
    payload = jsonable(
        {
            "text": _text(clock, crossing, ticket),
            "ticket_id": ticket.pk,
            "subject": ticket.subject,
            "severity": ticket.severity,
            "plan": ticket.plan_id,
            "clock": clock.kind,
            "clock_id": clock.pk,
            "crossing": crossing.kind,
            "fraction": crossing.fraction,
            "at": crossing.at,
            "due_at": clock.due_at,
            "event_key": event_key,
        }
    )
    if ticket.assignee is not None:  # loaded with the clock (select_related)
        users = [ticket.assignee.user_id]
    elif ticket.team_id is not None:
        users = team_users.get(ticket.team_id, [])
    else:
        users = []
    drafts = [
        Draft(
            channel="in_app",
            kind=kind,
            dedupe_key=f"{event_key}:in_app:{user_id}",
            payload=payload,
            recipient_id=user_id,
        )
        for user_id in users
    ]
    drafts.append(
        Draft(
            channel="log",
            kind=kind,
            dedupe_key=f"{event_key}:log",
            payload=payload,
            address="sladesk.sla",
        )
    )
    return drafts


def _team_users(team_ids: set[int]) -> dict[int, list[int]]:
    """Return the user ids of the active agents on shift of each team (one query)."""
    found: dict[int, list[int]] = defaultdict(list)
    if not team_ids:
        return found
    rows = (
        Agent.teams.through.objects.filter(
            team_id__in=team_ids,
            agent__user__is_active=True,
            agent__availability__on_shift=True,
        )
        .order_by("team_id", "agent__user_id")
        .values_list("team_id", "agent__user_id")
    )
    for team_id, user_id in rows:
        found[team_id].append(user_id)
    return found


def _clocks_update(clocks: list[TicketClock]) -> None:
    """Write ``warned``, ``breached`` and ``next_check_at`` of ``clocks`` in one UPDATE.

    On PostgreSQL the values travel as three arrays (``UPDATE ... FROM unnest(...)``):
    Django's ``bulk_update`` builds a CASE expression per field and row, which costs
    more than the rest of the sweep for a thousand clocks.
    """
    if connection.vendor != "postgresql":
        TicketClock.objects.bulk_update(clocks, ["warned", "breached", "next_check_at"])
        return
    table = connection.ops.quote_name(TicketClock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET warned = v.warned, breached = v.breached, "
            "next_check_at = v.next_check_at "
            "FROM unnest(%s::bigint[], %s::smallint[], %s::boolean[], %s::timestamptz[]) "
            "AS v(id, warned, breached, next_check_at) WHERE c.id = v.id",
            [
                [c.pk for c in clocks],
                [c.warned for c in clocks],
                [c.breached for c in clocks],
                [c.next_check_at for c in clocks],
            ],
        )


def sla_sweep(
    *, now: dt.datetime, limit: int = DEFAULT_LIMIT, policy: Policy | None = None
) -> SweepResult:
    """Record the warnings and breaches due by ``now`` of up to ``limit`` clocks; return a summary.

    One transaction with a fixed number of queries whatever the number of clocks
    crossing or of open tickets: the select (with row locks), one query for the
    team members of unassigned tickets (when there are some), one INSERT of events,
    one UPDATE of the clocks, one INSERT of notifications. Call it again while
    ``more`` is true.
    """
    started = _time.perf_counter()
    now = now_or(now)
    policy = policy_or(policy)
    with transaction.atomic():
        clocks = list(
            TicketClock.objects.filter(next_check_at__lte=now)
            .select_related("ticket", "ticket__assignee")
            .order_by("next_check_at", "id")
            .select_for_update(skip_locked=True, no_key=True, of=("self", "ticket"))[:limit]
        )
        if not clocks:
            return SweepResult(seconds=_time.perf_counter() - started)
        unassigned_teams = {
            c.ticket.team_id
            for c in clocks
            if c.ticket.assignee_id is None and c.ticket.team_id is not None
        }
        team_users = _team_users(unassigned_teams)
        events: list[TicketEvent] = []
        drafts: list[Draft] = []
        warnings = breaches = 0
        for clock in clocks:
            ticket = clock.ticket
            try:
                crossings = sla.clock_crossings(clock, now=now, policy=policy)
            except Exception:  # e.g. its calendar left the policy: never stall the others
                logger.exception(
                    "clock %s of ticket %s cannot be checked; trying again in %s",
                    clock.pk,
                    ticket.pk,
                    BROKEN_RETRY,
                )
                clock.next_check_at = now + BROKEN_RETRY
                continue
            for crossing in crossings:
                event = _event(clock, crossing, now=now, ticket=ticket)
                events.append(event)
                if crossing.kind == "warning":
                    assert crossing.index is not None
                    clock.warned = max(clock.warned, crossing.index + 1)
                    warnings += 1
                else:
                    clock.breached = True
                    breaches += 1
            if crossings:
                last = crossings[-1]
                drafts += _drafts(
                    clock,
                    last,
                    event_key=events[-1].key or "",
                    ticket=ticket,
                    team_users=team_users,
                )
            clock.next_check_at = sla.clock_next_check(clock, policy=policy)
            if clock.next_check_at is not None and clock.next_check_at <= now:
                # Nothing left to record yet the check is due: never select it forever.
                logger.warning("clock %s: next check %s is not after now", clock.pk, now)
                clock.next_check_at = None
        TicketEvent.objects.bulk_create(events, ignore_conflicts=True)
        _clocks_update(clocks)
        notifications_enqueue(drafts=drafts, now=now)
    result = SweepResult(
        clocks=len(clocks),
        warnings=warnings,
        breaches=breaches,
        notifications=len(drafts),
        more=len(clocks) >= limit,
        seconds=_time.perf_counter() - started,
    )
    if result.events:
        logger.info("sla sweep at %s: %s", now.isoformat(), result)
    return result


def sla_sweep_all(
    *, now: dt.datetime, limit: int = DEFAULT_LIMIT, policy: Policy | None = None
) -> SweepResult:
    """Sweep in transactions of ``limit`` clocks until nothing more is due; return the totals."""
    started = _time.perf_counter()
    totals = SweepResult()
    while True:
        result = sla_sweep(now=now, limit=limit, policy=policy)
        totals = SweepResult(
            clocks=totals.clocks + result.clocks,
            warnings=totals.warnings + result.warnings,
            breaches=totals.breaches + result.breaches,
            notifications=totals.notifications + result.notifications,
        )
        if not result.more:
            break
    return SweepResult(
        clocks=totals.clocks,
        warnings=totals.warnings,
        breaches=totals.breaches,
        notifications=totals.notifications,
        seconds=_time.perf_counter() - started,
    )
