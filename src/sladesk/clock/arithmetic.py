"""Open-time arithmetic on coverage calendars: add, elapsed, is_open, next_open, windows.

Every function takes aware datetimes (a naive one raises ``NaiveDatetimeError``) and
returns aware datetimes in UTC. Open windows are half-open ``[start, end)`` (policy,
"Boundary semantics"): an instant equal to a window's end is closed, an instant equal to
its start is open. Durations are real elapsed time (seconds of UTC), so a window
covering a DST night counts 23 h or 25 h.

Results are exact to the microsecond: instants are integer epoch microseconds inside.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime, timedelta

from sladesk.clock._compiled import (
    Compiled,
    Week,
    compiled,
    next_open_us,
    seek,
    week_of,
    weeks_sum,
)
from sladesk.clock._instants import DAY, EPOCH, US, duration_us, from_us, to_us
from sladesk.clock.calendar import AnyCalendar
from sladesk.clock.errors import ClockError


def _open_before(week: Week, t: int) -> int:
    """Return the open time of ``week`` that lies before the instant ``t``."""
    starts, ends, cum, _ = week
    i = bisect_right(starts, t) - 1
    if i < 0:
        return 0
    if t < ends[i]:
        return cum[i] - (ends[i] - t)
    return cum[i]


def _add_us(c: Compiled, t: int, d: int) -> int:
    """Return the instant at which ``d > 0`` µs of open time have elapsed after ``t``."""
    k = week_of(t)
    week = c.week(k)
    starts, ends, cum, total = week
    # Open time before t in its week (inlined _open_before: this is the hot path).
    i = bisect_right(starts, t) - 1
    if i < 0:
        target = d
    elif t < ends[i]:
        target = cum[i] - (ends[i] - t) + d
    else:
        target = cum[i] + d
    if target > total:
        # Step week by week only when the rest is short compared with this week.
        k, target = seek(c, k + 1, target - total, walk=target <= 3 * total)
        _, ends, cum, _ = c.week(k)
    # The first interval whose cumulative end reaches the target: a target met exactly at
    # an interval's end is due at that end, not at the next start (policy, "Boundary semantics").
    j = bisect_left(cum, target)
    return ends[j] - (cum[j] - target)


def _elapsed_us(c: Compiled, s: int, e: int) -> int:
    """Return the open time in ``[s, e)`` (``s <= e``)."""
    ks, ke = week_of(s), week_of(e)
    if ks == ke:
        week = c.week(ks)
        return _open_before(week, e) - _open_before(week, s)
    first = c.week(ks)
    return (
        first[3] - _open_before(first, s) + weeks_sum(c, ks + 1, ke) + _open_before(c.week(ke), e)
    )


def add(calendar: AnyCalendar, start: datetime, duration: timedelta) -> datetime:
    """Return the instant at which ``duration`` of open time has elapsed after ``start``.

    The clock runs from ``start`` if it is open, else from the next open instant
    (policy, "First-response targets"). Windows are half-open ``[start, end)``: a duration
    that runs out exactly at a window's end is due at that end, not at the next
    window's start (policy, "Boundary semantics"). A zero duration returns
    ``next_open(calendar, start)``: ``start`` itself when open, else the next open
    instant. A negative duration raises ``ClockError``. The result is in UTC.
    """
    # The conversions of to_us/duration_us/from_us, inlined: this is the hot path.
    try:
        delta = start - EPOCH
        d = (duration.days * DAY + duration.seconds) * US + duration.microseconds
    except (TypeError, AttributeError):
        to_us(start, what="start")  # raises the precise error
        duration_us(duration, what="duration")
        raise
    if d <= 0:
        duration_us(duration, what="duration")  # refuses a negative duration
        return next_open(calendar, start)
    t = (delta.days * DAY + delta.seconds) * US + delta.microseconds
    try:
        return EPOCH + timedelta(0, 0, _add_us(compiled(calendar), t, d))
    except OverflowError:
        raise ClockError("the result falls outside the datetime range (years 1..9999)") from None


def elapsed(
    calendar: AnyCalendar,
    start: datetime,
    end: datetime,
    *,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> timedelta:
    """Return the open time in the half-open span ``[start, end)``, minus paused time.

    ``pauses`` are ``(start, end)`` instant pairs, each half-open; they may overlap each
    other and extend outside ``[start, end)``: the open time inside their union, clipped
    to ``[start, end)``, is subtracted once. ``end`` before ``start``, or a pause whose end
    is before its start, raises ``ClockError``.
    """
    s = to_us(start, what="start")
    e = to_us(end, what="end")
    if e < s:
        raise ClockError(f"end {end.isoformat()} is before start {start.isoformat()}")
    c = compiled(calendar)
    total = _elapsed_us(c, s, e)
    spans: list[tuple[int, int]] = []
    for pause_start, pause_end in pauses:
        ps = to_us(pause_start, what="pause start")
        pe = to_us(pause_end, what="pause end")
        if pe < ps:
            raise ClockError(
                f"pause end {pause_end.isoformat()} is before its start {pause_start.isoformat()}"
            )
        ps, pe = max(ps, s), min(pe, e)
        if ps < pe:
            spans.append((ps, pe))
    spans.sort()
    cur_s = cur_e = None
    for ps, pe in spans:
        if cur_e is not None and ps <= cur_e:
            cur_e = max(cur_e, pe)
            continue
        if cur_s is not None and cur_e is not None:
            total -= _elapsed_us(c, cur_s, cur_e)
        cur_s, cur_e = ps, pe
    if cur_s is not None and cur_e is not None:
        total -= _elapsed_us(c, cur_s, cur_e)
    return timedelta(microseconds=total)


def is_open(calendar: AnyCalendar, instant: datetime) -> bool:
    """Return whether the calendar is open at ``instant`` (windows are half-open ``[start, end)``)."""
    t = to_us(instant, what="instant")
    starts, ends, _, _ = compiled(calendar).week(week_of(t))
    i = bisect_right(starts, t) - 1
    return i >= 0 and t < ends[i]


def next_open(calendar: AnyCalendar, instant: datetime) -> datetime:
    """Return ``instant`` (in UTC) if the calendar is open then, else the next window's start.

    Windows are half-open ``[start, end)``: at a window's exact end the answer is the
    next window's start (policy, "Boundary semantics").
    """
    t = to_us(instant, what="instant")
    return from_us(next_open_us(compiled(calendar), t))


def windows(
    calendar: AnyCalendar, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Return the open intervals within ``[start, end)``, clipped to it, as UTC pairs.

    Each pair is half-open ``[start, end)``; touching intervals are merged, so a calendar
    that is open throughout (``always``) yields one interval. The cost grows with the
    number of weeks spanned (this explains a due time; it is not on the hot path).
    """
    s = to_us(start, what="start")
    e = to_us(end, what="end")
    if e < s:
        raise ClockError(f"end {end.isoformat()} is before start {start.isoformat()}")
    c = compiled(calendar)
    out: list[tuple[int, int]] = []
    for k in range(week_of(s), week_of(e) + 1):
        starts, ends, _, _ = c.week(k)
        for ws, we in zip(starts, ends, strict=True):
            ws, we = max(ws, s), min(we, e)
            if ws >= we:
                continue
            if out and out[-1][1] == ws:
                out[-1] = (out[-1][0], we)
            else:
                out.append((ws, we))
    return [(from_us(a), from_us(b)) for a, b in out]
