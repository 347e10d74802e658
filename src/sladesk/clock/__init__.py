"""The SLA clock engine: pure-Python coverage-calendar arithmetic (no Django).

Build calendars with ``Calendar``/``Window`` and combine them with ``union`` and
``intersection``; then ``add``, ``elapsed``, ``is_open``, ``next_open``, ``windows`` and
``next_business_day`` answer in aware UTC datetimes. Every interval is half-open,
``[start, end)``. See ``docs/clock.md`` for the semantics at each boundary.
"""

from __future__ import annotations

from sladesk.clock.arithmetic import add, elapsed, is_open, next_open, windows
from sladesk.clock.calendar import (
    WEEK_SECONDS,
    AnyCalendar,
    Calendar,
    Intersection,
    Union,
    Window,
    intersection,
    union,
)
from sladesk.clock.errors import CalendarError, ClockError, NaiveDatetimeError
from sladesk.clock.targets import next_business_day

__all__ = [
    "WEEK_SECONDS",
    "AnyCalendar",
    "Calendar",
    "CalendarError",
    "ClockError",
    "Intersection",
    "NaiveDatetimeError",
    "Union",
    "Window",
    "add",
    "elapsed",
    "intersection",
    "is_open",
    "next_business_day",
    "next_open",
    "union",
    "windows",
]
