"""Instants as integers, and the one rule that turns local wall time into an instant.

Internally the clock works on integer microseconds since 1970-01-01T00:00Z ("epoch
microseconds"), so every result is exact to the microsecond and no float is involved.

Local wall time is written as integer "wall seconds": seconds since 1970-01-01 00:00 of
the local calendar, ignoring offsets. ``wall_to_utc`` is the single place that decides
how a wall time that does not exist, or exists twice, becomes an instant:

* inside a DST gap (spring forward), the wall time maps to the instant after the gap,
  i.e. the transition instant itself (``02:30`` on a US spring-forward night is
  ``03:00`` daylight time);
* inside a repeated stretch (fall back), it maps to the first occurrence (``fold=0``).

The mapping is non-decreasing, so a half-open wall interval ``[a, b)`` becomes a
half-open instant interval ``[wall_to_utc(a), wall_to_utc(b))``, possibly empty.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sladesk.clock.errors import ClockError, NaiveDatetimeError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WALL_EPOCH = datetime(1970, 1, 1)  # deliberately naive: local wall time
WALL_EPOCH_DATE = WALL_EPOCH.date()
US = 1_000_000  # microseconds per second
DAY = 86_400


def to_us(value: datetime, *, what: str) -> int:
    """Return the epoch microseconds of an aware datetime; refuse naive ones."""
    try:
        delta = value - EPOCH
    except TypeError:
        if isinstance(value, datetime):
            raise NaiveDatetimeError(
                f"{what} {value.isoformat()} has no UTC offset; the clock only accepts "
                "aware datetimes (attach a tzinfo, e.g. ZoneInfo('America/Los_Angeles'))"
            ) from None
        raise ClockError(f"{what} must be an aware datetime, not {type(value).__name__}") from None
    return (delta.days * DAY + delta.seconds) * US + delta.microseconds


def from_us(us: int) -> datetime:
    """Return the aware UTC datetime for epoch microseconds ``us``."""
    try:
        return EPOCH + timedelta(0, 0, us)
    except OverflowError:
        raise ClockError("the result falls outside the datetime range (years 1..9999)") from None


def duration_us(value: timedelta, *, what: str) -> int:
    """Return a non-negative ``timedelta`` in microseconds; refuse negative ones."""
    if not isinstance(value, timedelta):
        raise ClockError(f"{what} must be a timedelta, not {type(value).__name__}")
    us = (value.days * DAY + value.seconds) * US + value.microseconds
    if us < 0:
        raise ClockError(f"{what} {value} is negative; open time only runs forward")
    return us


def wall_seconds(day: date, at: time | None = None) -> int:
    """Return the wall seconds of local ``day`` at ``at`` (midnight when omitted)."""
    s = (day - WALL_EPOCH_DATE).days * DAY
    if at is not None:
        s += at.hour * 3600 + at.minute * 60 + at.second
    return s


def wall_to_utc(zone: ZoneInfo, wall: int) -> int:
    """Return the epoch second at which local wall time ``wall`` (wall seconds) occurs.

    A wall time inside a gap maps to the instant after the gap (the transition); a
    repeated wall time maps to its first occurrence (``fold=0``). See the module docstring.
    """
    try:
        naive = WALL_EPOCH + timedelta(0, wall)
    except OverflowError:
        raise ClockError(
            "a calendar edge falls outside the datetime range (years 1..9999)"
        ) from None
    # PEP 495: fold=0 answers with the offset before a transition, fold=1 after it.
    # ``zone.utcoffset`` reads only the naive fields and fold (and is cached by zoneinfo).
    off = zone.utcoffset(naive)
    off1 = zone.utcoffset(
        datetime(naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second, fold=1)
    )
    assert off is not None and off1 is not None  # a ZoneInfo always answers
    before = off.days * DAY + off.seconds
    after = off1.days * DAY + off1.seconds
    if before >= after:
        # Unambiguous (equal offsets) or repeated (fold=0 is the first occurrence).
        return wall - before
    # Non-existent: ``wall`` lies in a gap [T + before, T + after) for the transition T,
    # so T is in (wall - after, wall - before]. Find the first instant whose offset is
    # the post-transition one (tz offsets and transitions are whole seconds).
    lo, hi = wall - after, wall - before
    while hi - lo > 1:
        mid = (lo + hi) // 2
        off = datetime.fromtimestamp(mid, zone).utcoffset()
        assert off is not None
        if off.days * DAY + off.seconds == before:
            lo = mid
        else:
            hi = mid
    return hi


def local_date(zone: ZoneInfo, us: int) -> date:
    """Return the local calendar date, in ``zone``, of the instant ``us``."""
    return from_us(us).astimezone(zone).date()
