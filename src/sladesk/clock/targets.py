"""Date-based targets: "next business day" (policy, "First-response targets")."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sladesk.clock._compiled import compiled, next_open_us
from sladesk.clock._instants import US, from_us, local_date, to_us, wall_seconds, wall_to_utc
from sladesk.clock.calendar import AnyCalendar, Calendar
from sladesk.clock.errors import CalendarError, ClockError


def calendar_zone(calendar: AnyCalendar) -> str:
    """Return the one zone of ``calendar``'s parts; refuse a mix of zones."""
    if isinstance(calendar, Calendar):
        return calendar.zone
    zones = {calendar_zone(part) for part in calendar.parts}
    if len(zones) != 1:
        raise CalendarError(
            f"calendar {calendar.name or calendar!r} mixes zones {sorted(zones)}; "
            "pass zone= to say which local date counts"
        )
    return zones.pop()


def next_business_day(
    calendar: AnyCalendar,
    instant: datetime,
    *,
    at: time,
    zone: str | None = None,
) -> datetime:
    """Return ``at`` o'clock local on the first business date after ``instant``'s date.

    Implements the policy's "next business day" (policy, "First-response targets" and
    "Boundary semantics"): take the local calendar date of ``instant`` in the
    calendar's zone (not the UTC date, not the date in the caller's offset), ignore its
    time of day, and find the first date strictly after it that is a business date: a
    local date ``[00:00, next 00:00)`` in which the calendar is open at some instant (it
    has an open window and is not a closed holiday). The result is that date at ``at``
    local wall time, in UTC; an ``at`` inside a DST gap maps to the instant after the gap,
    a repeated one to its first occurrence.

    ``zone`` overrides the calendar's zone; it is required for a union or intersection
    of calendars in different zones.
    """
    if at.tzinfo is not None:
        raise ClockError("at is a local wall time of the calendar's zone; give it without tzinfo")
    t = to_us(instant, what="opened_at")
    tz = ZoneInfo(zone if zone is not None else calendar_zone(calendar))
    day = local_date(tz, t)
    midnight = wall_to_utc(tz, wall_seconds(day + timedelta(days=1))) * US
    first_open = next_open_us(compiled(calendar), midnight)
    business_date = local_date(tz, first_open)
    due = wall_to_utc(tz, wall_seconds(business_date, at)) * US + at.microsecond
    return from_us(due)
