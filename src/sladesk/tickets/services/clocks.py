"""Clock operations used by the ticket services (start, meet, stop, pause, resume, re-target).

Each writes the clock row and one ``clock_*`` event; callers hold the ticket's row
lock. ``ticket_due_refresh`` keeps ``Ticket.due_at`` (the queue's sort key) equal to
the earliest due among the running clocks.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Max

from sladesk.tickets import sla
from sladesk.tickets.models import ClockKind, EventKind, Ticket, TicketClock
from sladesk.tickets.services.common import event_record

if TYPE_CHECKING:
    from sladesk.accounts.actor import Actor
    from sladesk.policy import Policy

#: The re-target rule, recorded in every severity-change event (docs/tickets.md).
RETARGET_RULE = "reapply_from_start"


def current_clocks(ticket: Ticket) -> dict[str, TicketClock]:
    """Return the latest cycle of each clock kind of ``ticket``."""
    latest: dict[str, TicketClock] = {}
    for clock in TicketClock.objects.filter(ticket=ticket).order_by("kind", "seq"):
        latest[clock.kind] = clock
    return latest


def _save(clock: TicketClock, *, policy: Policy, fields: list[str]) -> None:
    clock.next_check_at = sla.clock_next_check(clock, policy=policy)
    clock.save(update_fields=[*fields, "next_check_at"])


def clock_new(
    *, ticket: Ticket, kind: str, start: dt.datetime, policy: Policy, seq: int
) -> TicketClock | None:
    """Return cycle ``seq`` of clock ``kind`` planned from ``start``, unsaved.

    ``None`` when the policy sets no target for it (plan, severity, production).
    """
    planned = sla.plan_clock(
        policy, plan_id=ticket.plan_id, kind=kind, severity=ticket.severity, start=start
    )
    if planned is None:
        return None
    clock = TicketClock(
        ticket=ticket,
        kind=kind,
        seq=seq,
        severity=planned.severity,
        plan_id=planned.plan_id,
        calendar=planned.calendar,
        target_label=planned.target_label,
        target_seconds=planned.target_seconds,
        started_at=planned.started_at,
        due_at=planned.due_at,
    )
    clock.next_check_at = sla.clock_next_check(clock, policy=policy)
    return clock


def clock_started_data(clock: TicketClock, *, reason: str) -> dict[str, Any]:
    """Return the data of a ``clock_started`` event for ``clock``."""
    return {
        "clock": clock.kind,
        "seq": clock.seq,
        "severity": clock.severity,
        "target": clock.target_label,
        "calendar": clock.calendar,
        "due_at": clock.due_at,
        "reason": reason,
    }


def clock_start(
    *,
    ticket: Ticket,
    kind: str,
    start: dt.datetime,
    policy: Policy,
    actor: Actor,
    reason: str,
) -> TicketClock | None:
    """Start a new cycle of clock ``kind`` at ``start`` if the policy sets a target for it."""
    last = TicketClock.objects.filter(ticket=ticket, kind=kind).aggregate(m=Max("seq"))["m"] or 0
    clock = clock_new(ticket=ticket, kind=kind, start=start, policy=policy, seq=last + 1)
    if clock is None:
        return None
    clock.save()
    event_record(
        ticket=ticket,
        kind=EventKind.CLOCK_STARTED,
        actor=actor,
        at=start,
        clock=clock,
        data=clock_started_data(clock, reason=reason),
    )
    return clock


def _late(clock: TicketClock, at: dt.datetime) -> int | None:
    if clock.due_at is not None and at > clock.due_at:
        return int((at - clock.due_at).total_seconds())
    return None


def _finish(
    clock: TicketClock, *, at: dt.datetime, policy: Policy, fields: list[str]
) -> int | None:
    """Close an open pause, record a breach if ``at`` is past the due, save ``fields`` too.

    Return how late (seconds past the due), or None if on time.
    """
    if clock.paused_at is not None:
        _close_pause(clock, at=at, policy=policy)
    late = _late(clock, at)
    if late is not None:
        clock.breached = True
        clock.breached_by_seconds = late
    _save(
        clock,
        policy=policy,
        fields=[
            *fields,
            "breached",
            "breached_by_seconds",
            "paused_at",
            "pauses",
            "paused_seconds",
            "due_at",
        ],
    )
    return late


def clock_meet(
    *, clock: TicketClock, at: dt.datetime, policy: Policy, actor: Actor, by: str
) -> None:
    """Mark a running or paused clock met at ``at`` (breached if after its due)."""
    clock.met_at = at
    late = _finish(clock, at=at, policy=policy, fields=["met_at"])
    event_record(
        ticket=clock.ticket,
        kind=EventKind.CLOCK_MET,
        actor=actor,
        at=at,
        clock=clock,
        data={
            "clock": clock.kind,
            "seq": clock.seq,
            "by": by,
            "due_at": clock.due_at,
            "late_seconds": late,
        },
    )


def clock_stop(
    *, clock: TicketClock, at: dt.datetime, policy: Policy, actor: Actor, reason: str
) -> None:
    """Stop a running or paused clock without meeting it (solved or closed first)."""
    clock.stopped_at = at
    clock.stop_reason = reason[:200]
    late = _finish(clock, at=at, policy=policy, fields=["stopped_at", "stop_reason"])
    event_record(
        ticket=clock.ticket,
        kind=EventKind.CLOCK_STOPPED,
        actor=actor,
        at=at,
        clock=clock,
        data={"clock": clock.kind, "seq": clock.seq, "reason": reason, "late_seconds": late},
    )


def clock_pause(
    *, clock: TicketClock, at: dt.datetime, policy: Policy, actor: Actor, reason: str
) -> None:
    """Pause a running clock from ``at`` (no due while paused)."""
    clock.paused_at = at
    clock.due_at = None
    _save(clock, policy=policy, fields=["paused_at", "due_at"])
    event_record(
        ticket=clock.ticket,
        kind=EventKind.CLOCK_PAUSED,
        actor=actor,
        at=at,
        clock=clock,
        data={"clock": clock.kind, "seq": clock.seq, "reason": reason},
    )


def _close_pause(clock: TicketClock, *, at: dt.datetime, policy: Policy) -> None:
    """Close the open pause at ``at`` and compute the due from the remaining open time."""
    assert clock.paused_at is not None
    start = clock.paused_at
    end = max(at, start)
    calendar = sla.calendar_of(policy, clock.calendar)
    from sladesk.clock import elapsed

    clock.pauses = [*clock.pauses, [start.isoformat(), end.isoformat()]]
    clock.paused_seconds += int(elapsed(calendar, start, end).total_seconds())
    clock.paused_at = None
    clock.due_at = sla.instant_after(
        calendar,
        start=clock.started_at,
        amount=sla.clock_target(clock),
        pauses=sla.pauses_of(clock),
    )


def clock_resume(
    *, clock: TicketClock, at: dt.datetime, policy: Policy, actor: Actor, reason: str
) -> None:
    """Resume a paused clock at ``at``: its due moves by the open time paused."""
    paused_from = clock.paused_at
    _close_pause(clock, at=at, policy=policy)
    _save(clock, policy=policy, fields=["paused_at", "pauses", "paused_seconds", "due_at"])
    event_record(
        ticket=clock.ticket,
        kind=EventKind.CLOCK_RESUMED,
        actor=actor,
        at=at,
        clock=clock,
        data={
            "clock": clock.kind,
            "seq": clock.seq,
            "paused_from": paused_from,
            "due_at": clock.due_at,
            "reason": reason,
        },
    )


def clock_retarget(
    *, clock: TicketClock, severity: str, at: dt.datetime, policy: Policy, actor: Actor
) -> dict[str, Any]:
    """Apply ``severity``'s target to a clock, counted from the clock's original start.

    The rule (``reapply_from_start``, docs/tickets.md): a running or paused clock takes
    the new level's target counted from its original start, pauses kept. A met or
    stopped clock, or one already past its due at the change, keeps its target and
    due (a breach is a fact, not undone by a later re-classification). If the new level
    has no target for this clock, the clock stops. Return what happened, for the event.
    """
    before = {"severity": clock.severity, "target": clock.target_label, "due_at": clock.due_at}
    if clock.state in ("met", "stopped"):
        return {"clock": clock.kind, "seq": clock.seq, "kept": f"already {clock.state}", **before}
    if clock.state == "running" and clock.due_at is not None and clock.due_at <= at:
        return {"clock": clock.kind, "seq": clock.seq, "kept": "already breached", **before}
    planned = sla.plan_clock(
        policy, plan_id=clock.plan_id, kind=clock.kind, severity=severity, start=clock.started_at
    )
    if planned is None:
        clock_stop(
            clock=clock,
            at=at,
            policy=policy,
            actor=actor,
            reason=f"no {clock.kind} target at {severity}",
        )
        return {
            "clock": clock.kind,
            "seq": clock.seq,
            "stopped": f"no target at {severity}",
            **before,
        }
    clock.severity = severity
    clock.calendar = planned.calendar
    clock.target_label = planned.target_label
    clock.target_seconds = planned.target_seconds
    if clock.paused_at is not None:
        clock.due_at = None
    elif clock.pauses:
        clock.due_at = sla.instant_after(
            sla.calendar_of(policy, clock.calendar),
            start=clock.started_at,
            amount=sla.clock_target(clock),
            pauses=sla.pauses_of(clock),
        )
    else:
        clock.due_at = planned.due_at
    clock.warned = min(clock.warned, sla.crossed_count(clock, now=at, policy=policy))
    _save(
        clock,
        policy=policy,
        fields=["severity", "calendar", "target_label", "target_seconds", "due_at", "warned"],
    )
    after = {"severity": clock.severity, "target": clock.target_label, "due_at": clock.due_at}
    event_record(
        ticket=clock.ticket,
        kind=EventKind.CLOCK_RETARGETED,
        actor=actor,
        at=at,
        clock=clock,
        data={
            "clock": clock.kind,
            "seq": clock.seq,
            "rule": RETARGET_RULE,
            "from": before,
            "to": after,
        },
    )
    return {"clock": clock.kind, "seq": clock.seq, "from": before, "to": after}


def ticket_due_refresh(ticket: Ticket) -> None:
    """Set ``ticket.due_at`` to the earliest due among its running clocks (None if none)."""
    dues = [
        clock.due_at
        for clock in current_clocks(ticket).values()
        if clock.state == "running" and clock.due_at is not None
    ]
    ticket.due_at = min(dues) if dues else None


__all__ = [
    "RETARGET_RULE",
    "ClockKind",
    "clock_meet",
    "clock_new",
    "clock_pause",
    "clock_resume",
    "clock_retarget",
    "clock_start",
    "clock_started_data",
    "clock_stop",
    "current_clocks",
    "ticket_due_refresh",
]
