"""A brute-force reference for the SLA clock: minute by minute, obviously correct, slow.

It shares no code with ``sladesk.clock`` beyond the calendar dataclasses. Openness is
decided for one instant at a time from the instant's local wall time in the calendar's
zone (``zoneinfo`` directly), and every span is walked one UTC minute at a time.

Preconditions (true for every calendar and date the tests use): window edges are whole
minutes, and the zones' offsets and transitions are whole minutes (true since 1972 for
the zones used), so openness is constant within each UTC minute ``[hh:mm, hh:mm+1)``.

The benchmark imports this file by path, so it must not use relative imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sladesk.clock.calendar import AnyCalendar, Calendar, Intersection, Union

MINUTE = timedelta(minutes=1)
TICK = timedelta(microseconds=1)


class HorizonExceeded(Exception):
    """The walk went further than the caller allowed."""


def floor_minute(t: datetime) -> datetime:
    t = t.astimezone(UTC)
    return t.replace(second=0, microsecond=0)


def _week_position_us(wall: datetime) -> int:
    """Microseconds since Monday 00:00 of the wall time's week."""
    return (
        ((wall.weekday() * 24 + wall.hour) * 60 + wall.minute) * 60 + wall.second
    ) * 1_000_000 + wall.microsecond


def is_open(calendar: AnyCalendar, instant: datetime) -> bool:
    """Decide openness at one instant from its local wall time."""
    if isinstance(calendar, Union):
        return any(is_open(part, instant) for part in calendar.parts)
    if isinstance(calendar, Intersection):
        return all(is_open(part, instant) for part in calendar.parts)
    assert isinstance(calendar, Calendar)
    zone = ZoneInfo(calendar.zone)
    local = instant.astimezone(zone)
    # A holiday closes its whole local date.
    if not calendar.open_on_holidays and local.date() in calendar.holidays:
        return False
    wall = local.replace(tzinfo=None, fold=0)
    if local.fold == 1:
        # The second pass through a repeated stretch (fall back). Every window edge
        # written inside the stretch sits at its first occurrence, so it is already
        # behind us: compare as if at the last moment of the stretch. Walk to the
        # first minute after the stretch to find where it ends.
        probe = floor_minute(instant)
        while probe.astimezone(zone).fold == 1:
            probe += MINUTE
        wall = probe.astimezone(zone).replace(tzinfo=None) - TICK
    # Gaps need nothing: a wall time after the gap compares after an edge written in it.
    position = _week_position_us(wall)
    for window in calendar.windows:
        start, end = window.start * 1_000_000, window.end * 1_000_000
        if window.end <= window.start:  # wraps over the week's end
            if position >= start or position < end:
                return True
        elif start <= position < end:
            return True
    return False


def open_runs(
    calendar: AnyCalendar,
    start: datetime,
    end: datetime,
    *,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> list[tuple[datetime, datetime]]:
    """Return the open, unpaused spans of ``[start, end)``, walking minute by minute."""
    pauses = [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in pauses]
    cuts = sorted({p for a, b in pauses for p in (a, b) if start < p < end})
    t = start.astimezone(UTC)
    end = end.astimezone(UTC)
    runs: list[tuple[datetime, datetime]] = []
    while t < end:
        nxt = min(floor_minute(t) + MINUTE, end)
        while cuts and cuts[0] <= t:
            cuts.pop(0)
        if cuts and cuts[0] < nxt:
            nxt = cuts[0]
        paused = any(a <= t < b for a, b in pauses)
        if not paused and is_open(calendar, t):
            if runs and runs[-1][1] == t:
                runs[-1] = (runs[-1][0], nxt)
            else:
                runs.append((t, nxt))
        t = nxt
    return runs


def elapsed(calendar, start, end, *, pauses=()) -> timedelta:
    """Sum the open, unpaused time of ``[start, end)``."""
    return sum((b - a for a, b in open_runs(calendar, start, end, pauses=pauses)), timedelta())


def add(calendar, start: datetime, duration: timedelta, *, horizon=timedelta(days=60)):
    """Walk minute by minute from ``start`` until ``duration`` of open time has passed."""
    t = start.astimezone(UTC)
    left = duration
    limit = t + horizon
    while t < limit:
        nxt = floor_minute(t) + MINUTE
        if is_open(calendar, t):
            if left <= nxt - t:  # runs out within this minute (or exactly at its end)
                return t + left
            left -= nxt - t
        t = nxt
    raise HorizonExceeded(f"no answer within {horizon}")


def add_from_runs(runs, duration: timedelta) -> datetime | None:
    """Return where ``duration`` runs out in precomputed runs (``None`` if beyond them)."""
    left = duration
    for a, b in runs:
        if left <= b - a:
            return a + left
        left -= b - a
    return None


def local_instant(zone: ZoneInfo, day: date, at: time) -> datetime:
    """Return the instant of a local wall time: the first occurrence if repeated, the
    instant after the gap if it does not exist (found by stepping a minute at a time)."""
    naive = datetime.combine(day, at)
    while True:
        candidate = naive.replace(tzinfo=zone)
        if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
            return candidate.astimezone(UTC)
        naive += MINUTE  # inside a gap: the first wall minute that exists is the gap's end


def next_business_day(calendar, instant: datetime, *, at: time, zone: str, horizon_days=60):
    """Walk minutes from the instant until an open minute on a later local date."""
    tz = ZoneInfo(zone)
    opened = instant.astimezone(tz).date()
    t = floor_minute(instant)
    limit = t + timedelta(days=horizon_days)
    while t < limit:
        day = t.astimezone(tz).date()
        if day > opened and is_open(calendar, t):
            return local_instant(tz, day, at)
        t += MINUTE
    raise HorizonExceeded("no business date found")
