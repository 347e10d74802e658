"""The bridge between tickets and ``sladesk.clock``: clock state as plain functions.

Services, the API, the CLI and the SLA sweep all compute a clock's due, thresholds,
state and explanation here, from a ``TicketClock`` row and the policy; nothing here
writes to the database.

Counting rules (``docs/tickets.md``, "Clocks"):

- A clock's target is open time of one coverage calendar (``target_seconds``). A
  "next business day" target is converted, when the clock starts, into the open time
  between the start and that instant, so that pauses and re-targets count the same way.
- Pauses (``waiting on customer``) are half-open ``[start, end)`` intervals whose open
  time does not count. While a pause is open the clock has no due.
- Warning thresholds are shares of the target's open time (policy ``[sla]
  warning_thresholds``, 75 % and 90 % by default), so "75 %" is in business time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sladesk.clock import AnyCalendar, add, elapsed, next_business_day, windows

if TYPE_CHECKING:
    from sladesk.policy import Policy, Target
    from sladesk.tickets.models import TicketClock

Span = tuple[datetime, datetime]


def target_for(policy: Policy, *, plan_id: str, kind: str, severity: str) -> Target | None:
    """Return the policy's target for a clock ``kind`` of ``plan_id`` at ``severity``, if any.

    ``first_response`` comes from the contract; ``next_reply`` and ``resolution`` are
    optional tables of the plan (a clock the policy does not set does not run).
    """
    plan = policy.plans.get(plan_id)
    if plan is None:
        return None
    tables = {
        "first_response": plan.first_response,
        "next_reply": plan.next_reply,
        "resolution": plan.resolution,
    }
    return tables.get(kind, {}).get(severity)


def calendar_of(policy: Policy, calendar_id: str) -> AnyCalendar:
    """Return the clock calendar of the policy's ``calendar_id``."""
    return policy.calendars[calendar_id].calendar


def zone_of(policy: Policy, calendar_id: str) -> str:
    """Return the zone local times of ``calendar_id`` are read in (the policy's for a mix)."""
    zone = policy.calendars[calendar_id].zone
    return policy.zone if zone == "mixed" else zone


@dataclass(frozen=True, slots=True)
class PlannedClock:
    """What a clock starting at ``started_at`` would be: the row's target fields."""

    kind: str
    plan_id: str
    severity: str
    calendar: str
    target_label: str
    target_seconds: int
    started_at: datetime
    due_at: datetime


def plan_clock(
    policy: Policy, *, plan_id: str, kind: str, severity: str, start: datetime
) -> PlannedClock | None:
    """Return the clock ``kind`` would be if it started at ``start``, or None if not set."""
    target = target_for(policy, plan_id=plan_id, kind=kind, severity=severity)
    if target is None:
        return None
    calendar = calendar_of(policy, target.calendar)
    start = start.astimezone(UTC)
    if target.kind == "duration":
        assert target.within is not None  # the loader guarantees it
        due = add(calendar, start, target.within)
        seconds = int(target.within.total_seconds())
    else:
        assert target.at is not None  # the loader guarantees it
        due = next_business_day(
            calendar, start, at=target.at, zone=zone_of(policy, target.calendar)
        )
        seconds = int(elapsed(calendar, start, due).total_seconds()) if due > start else 0
    return PlannedClock(
        kind=kind,
        plan_id=plan_id,
        severity=severity,
        calendar=target.calendar,
        target_label=target.label(),
        target_seconds=seconds,
        started_at=start,
        due_at=due,
    )


def pauses_of(clock: TicketClock) -> list[Span]:
    """Return the clock's closed pauses as aware UTC pairs."""
    return [(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in clock.pauses]


def pauses_until(clock: TicketClock, *, now: datetime) -> list[Span]:
    """Return the closed pauses plus the open one (if any), closed at ``now``."""
    spans = pauses_of(clock)
    if clock.paused_at is not None and now > clock.paused_at:
        spans.append((clock.paused_at, now))
    return spans


def instant_after(
    calendar: AnyCalendar, *, start: datetime, amount: timedelta, pauses: Iterable[Span] = ()
) -> datetime:
    """Return the instant at which ``amount`` of open time, not counting pauses, has elapsed.

    Counting starts at ``start`` (or the next open instant); each pause ``[s, e)``
    contributes no open time. Without pauses this is ``sladesk.clock.add``.
    """
    t = start
    remaining = amount
    for pause_start, pause_end in sorted(pauses):
        if pause_end <= t:
            continue
        if pause_start > t:
            candidate = add(calendar, t, remaining)
            if candidate <= pause_start:
                return candidate
            remaining -= elapsed(calendar, t, pause_start)
        t = max(t, pause_end)
    return add(calendar, t, remaining)


def clock_target(clock: TicketClock) -> timedelta:
    return timedelta(seconds=clock.target_seconds)


def clock_due(clock: TicketClock, *, policy: Policy) -> datetime | None:
    """Return the due instant from the start, the target and the closed pauses (None if paused)."""
    if clock.paused_at is not None:
        return None
    pauses = pauses_of(clock)
    if not pauses and clock.due_at is not None:
        return clock.due_at  # as planned (exact for "next business day" targets)
    return instant_after(
        calendar_of(policy, clock.calendar),
        start=clock.started_at,
        amount=clock_target(clock),
        pauses=pauses,
    )


def threshold_instants(clock: TicketClock, *, policy: Policy) -> list[tuple[float, datetime]]:
    """Return ``(fraction, instant)`` for each warning threshold of the policy (running clocks)."""
    if clock.paused_at is not None:
        return []
    calendar = calendar_of(policy, clock.calendar)
    pauses = pauses_of(clock)
    target = clock_target(clock)
    return [
        (
            fraction,
            instant_after(
                calendar, start=clock.started_at, amount=target * fraction, pauses=pauses
            ),
        )
        for fraction in policy.warning_thresholds
    ]


def clock_next_check(clock: TicketClock, *, policy: Policy) -> datetime | None:
    """Return the next instant the clock crosses an unrecorded threshold or its due.

    None when the clock is met, stopped or paused, or when every threshold and the
    breach are recorded: such a clock needs no sweep.
    """
    if clock.state != "running" or clock.due_at is None:
        return None
    thresholds = policy.warning_thresholds
    if clock.warned < len(thresholds):
        calendar = calendar_of(policy, clock.calendar)
        amount = clock_target(clock) * thresholds[clock.warned]
        instant = instant_after(
            calendar, start=clock.started_at, amount=amount, pauses=pauses_of(clock)
        )
        return min(instant, clock.due_at)
    if not clock.breached:
        return clock.due_at
    return None


@dataclass(frozen=True, slots=True)
class Crossing:
    """A threshold (``warning``, with its index and fraction) or the due (``breach``) crossed."""

    kind: str  # "warning" | "breach"
    at: datetime
    index: int | None = None
    fraction: float | None = None


def clock_crossings(clock: TicketClock, *, now: datetime, policy: Policy) -> list[Crossing]:
    """Return the crossings of a running clock that are due by ``now`` and not yet recorded.

    The sweep records each one (``warned`` += 1 per warning, ``breached`` for the
    breach), then stores ``clock_next_check``.
    """
    if clock.state != "running" or clock.due_at is None:
        return []
    found: list[Crossing] = []
    for index, (fraction, instant) in enumerate(threshold_instants(clock, policy=policy)):
        if index >= clock.warned and instant <= now:
            found.append(Crossing(kind="warning", at=instant, index=index, fraction=fraction))
    if not clock.breached and clock.due_at <= now:
        found.append(Crossing(kind="breach", at=clock.due_at))
    return found


def crossed_count(clock: TicketClock, *, now: datetime, policy: Policy) -> int:
    """Return how many warning thresholds lie at or before ``now`` (used after a re-target)."""
    return sum(1 for _, instant in threshold_instants(clock, policy=policy) if instant <= now)


@dataclass(frozen=True, slots=True)
class ClockState:
    """A clock as of an instant: everything the API and the CLI show."""

    id: int | None
    kind: str
    seq: int
    state: str  # running | paused | met | stopped
    severity: str
    target_label: str
    target: timedelta
    calendar: str
    started_at: datetime
    due_at: datetime | None
    met_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str
    paused_at: datetime | None
    elapsed: timedelta  # open time counted so far (pauses excluded)
    remaining: timedelta  # target - elapsed, never negative
    paused: timedelta  # open time inside pauses (not counted)
    breached: bool
    breached_by: (
        timedelta | None
    )  # wall time past the due (met late, stopped late, or still running)
    used: float  # elapsed / target


def clock_state(clock: TicketClock, *, now: datetime, policy: Policy) -> ClockState:
    """Return the clock's state at ``now`` (a met or stopped clock is frozen at that instant)."""
    calendar = calendar_of(policy, clock.calendar)
    end = clock.met_at or clock.stopped_at or now
    end = max(end, clock.started_at)
    pauses = pauses_until(clock, now=end)
    counted = elapsed(calendar, clock.started_at, end, pauses=pauses)
    paused = elapsed(calendar, clock.started_at, end) - counted
    target = clock_target(clock)
    due = clock.due_at if clock.paused_at is None else None
    late = end - due if due is not None and end > due else None
    breached = clock.breached or late is not None
    if (
        clock.breached
        and late is None
        and due is not None
        and clock.breached_by_seconds is not None
    ):
        late = timedelta(seconds=clock.breached_by_seconds)
    return ClockState(
        id=clock.pk,
        kind=clock.kind,
        seq=clock.seq,
        state=clock.state,
        severity=clock.severity,
        target_label=clock.target_label,
        target=target,
        calendar=clock.calendar,
        started_at=clock.started_at,
        due_at=due,
        met_at=clock.met_at,
        stopped_at=clock.stopped_at,
        stop_reason=clock.stop_reason,
        paused_at=clock.paused_at,
        elapsed=counted,
        remaining=max(target - counted, timedelta(0)),
        paused=paused,
        breached=breached,
        breached_by=late if breached else None,
        used=(counted / target) if target else 1.0,
    )


def subtract(spans: Sequence[Span], holes: Iterable[Span]) -> list[Span]:
    """Return ``spans`` minus ``holes`` (all half-open, sorted result)."""
    result = list(spans)
    for hole_start, hole_end in holes:
        next_result: list[Span] = []
        for start, end in result:
            if hole_end <= start or hole_start >= end:
                next_result.append((start, end))
                continue
            if start < hole_start:
                next_result.append((start, hole_start))
            if hole_end < end:
                next_result.append((hole_end, end))
        result = next_result
    return sorted(result)


@dataclass(frozen=True, slots=True)
class ClockExplanation:
    """Why a clock is due when it is: the target, the calendar, the pauses and the windows counted."""

    state: ClockState
    calendar_description: str
    zone: str
    pauses: tuple[tuple[datetime, datetime | None], ...]
    counted: tuple[Span, ...]  # open windows that count towards the target, in [start, due or now)
    thresholds: tuple[tuple[float, datetime], ...] = field(default=())

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(ZoneInfo(self.zone))

    def lines(self) -> list[str]:
        """Return the explanation as text lines (``sladesk ticket show --explain``)."""
        s = self.state

        def when(instant: datetime | None) -> str:
            if instant is None:
                return "-"
            return f"{instant:%Y-%m-%d %H:%M:%S} UTC ({self.local(instant):%a %Y-%m-%d %H:%M %Z})"

        out = [
            f"{s.kind.replace('_', ' ')} #{s.seq} [{s.state}{', BREACHED' if s.breached else ''}]",
            f"  target: {s.target_label} at {s.severity} (open time {_hours(s.target)})",
            f"  calendar: {s.calendar} - {self.calendar_description} ({self.zone})",
            f"  started: {when(s.started_at)}",
            f"  due:     {when(s.due_at) if s.due_at else 'none while paused'}",
        ]
        if s.met_at:
            out.append(f"  met:     {when(s.met_at)}")
        if s.stopped_at:
            out.append(f"  stopped: {when(s.stopped_at)} ({s.stop_reason})")
        if s.breached and s.breached_by is not None:
            out.append(f"  breached by {_hours(s.breached_by)}")
        out.append(
            f"  counted {_hours(s.elapsed)} of {_hours(s.target)}, paused {_hours(s.paused)}, "
            f"remaining {_hours(s.remaining)}"
        )
        for fraction, instant in self.thresholds:
            out.append(f"  warning at {fraction:.0%}: {when(instant)}")
        for start, end in self.pauses:
            out.append(
                f"  paused {when(start)} -> {when(end) if end else 'now'} (waiting on customer)"
            )
        out.append("  windows counted:")
        for start, end in self.counted:
            out.append(f"    {when(start)} -> {when(end)}  {_hours(end - start)}")
        if not self.counted:
            out.append("    (none)")
        return out


def _hours(d: timedelta) -> str:
    total = int(d.total_seconds())
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    sign = "-" if total < 0 else ""
    return f"{sign}{hours} h {minutes:02d} min" + (f" {seconds:02d} s" if seconds else "")


def clock_explain(clock: TicketClock, *, now: datetime, policy: Policy) -> ClockExplanation:
    """Return the clock's state with the windows counted towards its target.

    The windows are the calendar's open windows in ``[start, due)`` (``[start, now)``
    while paused), minus the pauses; their total is the target when nothing paused.
    """
    state = clock_state(clock, now=now, policy=policy)
    calendar = calendar_of(policy, clock.calendar)
    end = state.due_at or min(clock.met_at or clock.stopped_at or now, now)
    end = max(end, clock.started_at)
    open_pauses: list[tuple[datetime, datetime | None]] = [(s, e) for s, e in pauses_of(clock)]
    if clock.paused_at is not None:
        open_pauses.append((clock.paused_at, None))
    counted = subtract(
        windows(calendar, clock.started_at, end), pauses_until(clock, now=max(end, now))
    )
    return ClockExplanation(
        state=state,
        calendar_description=clock_calendar_description(policy, clock.calendar),
        zone=zone_of(policy, clock.calendar),
        pauses=tuple(open_pauses),
        counted=tuple(counted),
        thresholds=tuple(threshold_instants(clock, policy=policy))
        if state.state == "running"
        else (),
    )


def clock_calendar_description(policy: Policy, calendar_id: str) -> str:
    spec = policy.calendars.get(calendar_id)
    return spec.description if spec is not None else "(calendar no longer in the policy)"
