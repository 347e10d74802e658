"""Coverage calendars: weekly open windows in one zone's wall time, minus holidays.

A calendar answers "is the desk's clock running at this instant?". Windows are written
in local wall time of one IANA zone; durations counted inside them are real elapsed
seconds (see ``arithmetic``). Every interval is half-open, ``[start, end)``.

This module imports only the standard library (the clock is a library, not an app).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sladesk.clock.errors import CalendarError

WEEK_SECONDS = 7 * 24 * 3600
DAY_SECONDS = 24 * 3600
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Window:
    """One weekly open window in local wall time, half-open ``[start, end)``.

    ``start`` and ``end`` are seconds since Monday 00:00 local wall time, in
    ``[0, WEEK_SECONDS]``. A window whose ``end`` is not after its ``start`` wraps
    over the week's end (``Fri 17:00 -> Mon 09:00``). ``start == 0`` and
    ``end == WEEK_SECONDS`` is the whole week.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if not 0 <= value <= WEEK_SECONDS:
                raise CalendarError(
                    f"window {name} {value} is outside the week [0, {WEEK_SECONDS}]"
                )
        if self.start == self.end:
            raise CalendarError("a window must not be empty (start == end)")

    @classmethod
    def at(cls, *, start_day: int, start: time, end_day: int, end: time | None) -> Window:
        """Build a window from weekdays (0 = Monday) and wall times; ``end=None`` means 24:00.

        The window is half-open, ``[start, end)``; an end not after the start wraps over
        the week's end (``Fri 17:00 -> Mon 09:00``).
        """
        for day in (start_day, end_day):
            if not 0 <= day <= 6:
                raise CalendarError(f"weekday {day} is not in 0 (Monday) .. 6 (Sunday)")
        s = start_day * DAY_SECONDS + _seconds(start)
        e = end_day * DAY_SECONDS + (DAY_SECONDS if end is None else _seconds(end))
        return cls(start=s, end=e)

    @property
    def wraps(self) -> bool:
        """True when the window runs over the end of the week into the next."""
        return self.end <= self.start

    @property
    def length(self) -> int:
        """Nominal wall-clock length in seconds (ignoring DST)."""
        return self.end - self.start if not self.wraps else WEEK_SECONDS - self.start + self.end

    def describe(self) -> str:
        """Return ``"Fri 17:00 - Mon 09:00"``."""
        return f"{_label(self.start)} - {_label(self.end, end=True)}"


def _seconds(t: time) -> int:
    # Window edges are whole seconds of wall time in the calendar's own zone.
    if t.tzinfo is not None or t.microsecond:
        raise CalendarError(
            f"window time {t.isoformat()} must be a whole-second wall time without tzinfo"
        )
    return t.hour * 3600 + t.minute * 60 + t.second


def _label(s: int, *, end: bool = False) -> str:
    if end and s % DAY_SECONDS == 0:
        day = (s // DAY_SECONDS - 1) % 7
        return f"{WEEKDAY_NAMES[day]} 24:00" if s != 0 else "Sun 24:00"
    day, rest = divmod(s % WEEK_SECONDS, DAY_SECONDS)
    return f"{WEEKDAY_NAMES[day]} {rest // 3600:02d}:{rest % 3600 // 60:02d}"


@dataclass(frozen=True, slots=True)
class Calendar:
    """Weekly windows in ``zone``'s wall time, closed (or not) on ``holidays``.

    ``holidays`` are local calendar dates. When ``open_on_holidays`` is False, a
    holiday closes the whole local date ``[00:00, 24:00)`` whatever the windows say.
    """

    zone: str
    windows: tuple[Window, ...]
    holidays: frozenset[date] = field(default_factory=frozenset)
    open_on_holidays: bool = True
    name: str = ""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {self.zone!r}") from exc
        if not self.windows:
            raise CalendarError("a calendar needs at least one open window")

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


@dataclass(frozen=True, slots=True)
class Union:
    """Open whenever any part is open (Premier L1: weekday 24x5 or weekend)."""

    parts: tuple[AnyCalendar, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if not self.parts:
            raise CalendarError("a union needs at least one calendar")


@dataclass(frozen=True, slots=True)
class Intersection:
    """Open only when every part is open."""

    parts: tuple[AnyCalendar, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if not self.parts:
            raise CalendarError("an intersection needs at least one calendar")


AnyCalendar = Calendar | Union | Intersection


def union(*parts: AnyCalendar, name: str = "") -> Union:
    """Return the calendar open whenever any of ``parts`` is open."""
    return Union(parts=tuple(parts), name=name)


def intersection(*parts: AnyCalendar, name: str = "") -> Intersection:
    """Return the calendar open only when all of ``parts`` are open."""
    return Intersection(parts=tuple(parts), name=name)
