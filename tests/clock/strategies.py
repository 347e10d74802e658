"""Hypothesis strategies and settings profiles for the clock's property tests.

Profiles (``SLADESK_CLOCK_PROFILE``): ``clock-default`` keeps ``pytest tests/clock`` well
under a minute on a small CI machine; ``clock-thorough`` runs ten times more examples.
They are applied per test (``@CLOCK``, ``@CLOCK_SLOW``), so loading them here does not
change other packages' Hypothesis settings.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from sladesk.clock import WEEK_SECONDS, Calendar, Window, intersection, union

settings.register_profile(
    "clock-default",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "clock-thorough",
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_PROFILE = settings.get_profile(os.environ.get("SLADESK_CLOCK_PROFILE", "clock-default"))
CLOCK = settings(_PROFILE)
CLOCK_SLOW = settings(_PROFILE, max_examples=max(10, _PROFILE.max_examples // 2))

# Zones with the awkward cases: US and EU DST, no DST, half-hour offsets and a
# 30-minute DST (Lord Howe), DST at midnight (Santiago), a skipped day (Apia, 2011-12-30).
ZONES = (
    "America/Los_Angeles",
    "Europe/Berlin",
    "UTC",
    "Asia/Kolkata",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Apia",
)
LOW, HIGH = datetime(2010, 1, 1, tzinfo=UTC), datetime(2032, 1, 1, tzinfo=UTC)


def _transitions(zone_key: str) -> list[datetime]:
    """Find the zone's offset changes in [LOW, HIGH) by sampling every 6 h and bisecting."""
    zone = ZoneInfo(zone_key)
    out = []
    step = timedelta(hours=6)
    t = LOW
    prev = t.astimezone(zone).utcoffset()
    while t < HIGH:
        nxt = t + step
        off = nxt.astimezone(zone).utcoffset()
        if off != prev:
            lo, hi = t, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    break
                if mid.astimezone(zone).utcoffset() == prev:
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
            prev = off
        t = nxt
    return out


TRANSITIONS = {zone: _transitions(zone) for zone in ZONES}

minute_of_week = st.one_of(
    st.integers(0, WEEK_SECONDS // 60).map(lambda m: m * 60),
    # Early-morning edges, where DST gaps and repeats happen (and midnight, Santiago).
    st.tuples(st.integers(0, 7), st.integers(0, 3 * 60)).map(
        lambda dm: min(WEEK_SECONDS, (dm[0] * 1440 + dm[1]) * 60)
    ),
)


@st.composite
def windows(draw):
    """A window with whole-minute edges; ``end <= start`` wraps over the week's end."""
    start = draw(minute_of_week)
    end = draw(minute_of_week.filter(lambda e: e != start))
    return Window(start=start, end=end)


@st.composite
def instants(draw, zone_key: str | None = None):
    """An instant in 2010-2032, often within days of a DST transition, at any microsecond."""
    zone_key = zone_key or draw(st.sampled_from(ZONES))
    transitions = TRANSITIONS[zone_key]
    if transitions and draw(st.booleans()):
        anchor = draw(st.sampled_from(transitions))
        offset = draw(st.integers(-4 * 86400, 4 * 86400))
        t = anchor + timedelta(seconds=offset)
    else:
        t = LOW + timedelta(
            seconds=draw(st.integers(0, int((HIGH - LOW).total_seconds()) - 86400 * 30))
        )
    if draw(st.booleans()):
        t = t.replace(second=0)
    micro = draw(st.sampled_from([0, 0, 1, 999_999, 123_456]))
    return t.replace(microsecond=micro)


@st.composite
def leaf_calendars(draw, near: datetime | None = None, zone_key: str | None = None):
    zone_key = zone_key or draw(st.sampled_from(ZONES))
    ws = tuple(draw(st.lists(windows(), min_size=1, max_size=3)))
    holidays: frozenset[date] = frozenset()
    if near is not None and draw(st.booleans()):
        base = near.astimezone(ZoneInfo(zone_key)).date()
        holidays = frozenset(
            base + timedelta(days=d) for d in draw(st.lists(st.integers(-2, 10), max_size=3))
        )
    return Calendar(
        zone=zone_key,
        windows=ws,
        holidays=holidays,
        open_on_holidays=draw(st.booleans()),
        name="generated",
    )


@st.composite
def calendars(draw, near: datetime | None = None):
    """A leaf calendar, or a union or intersection of two (possibly in different zones)."""
    kind = draw(st.sampled_from(["leaf", "leaf", "union", "intersection"]))
    first = draw(leaf_calendars(near=near))
    if kind == "leaf":
        return first
    second = draw(leaf_calendars(near=near))
    combine = union if kind == "union" else intersection
    return combine(first, second)


@st.composite
def scenarios(draw):
    """A calendar and an instant close to one of its zone's DST transitions (often)."""
    zone_key = draw(st.sampled_from(ZONES))
    start = draw(instants(zone_key))
    kind = draw(st.sampled_from(["leaf", "leaf", "union", "intersection"]))
    first = draw(leaf_calendars(near=start, zone_key=zone_key))
    if kind == "leaf":
        return first, start
    second = draw(leaf_calendars(near=start))
    return (union if kind == "union" else intersection)(first, second), start


def _week_seconds(wall: datetime) -> int:
    return wall.weekday() * 86400 + wall.hour * 3600 + wall.minute * 60


@st.composite
def dst_scenarios(draw):
    """A calendar with a window edge in (or next to) a DST gap or repeat, and an instant
    a little before that transition, so the reference walk crosses it."""
    zone_key = draw(st.sampled_from([z for z in ZONES if TRANSITIONS[z]]))
    zone = ZoneInfo(zone_key)
    transition = draw(st.sampled_from(TRANSITIONS[zone_key]))
    wall_before = (transition - timedelta(minutes=1)).astimezone(zone).replace(
        tzinfo=None
    ) + timedelta(minutes=1)
    wall_after = transition.astimezone(zone).replace(tzinfo=None)
    low, high = sorted((wall_before, wall_after))
    minutes = int((high - low).total_seconds() // 60)
    edges = st.integers(-2, minutes + 2).map(lambda m: _week_seconds(low + timedelta(minutes=m)))
    ws = []
    for _ in range(draw(st.integers(1, 2))):
        first = draw(edges)
        other = draw(st.one_of(edges, minute_of_week).filter(lambda e, f=first: e != f))
        ws.append(Window(*draw(st.permutations([first, other]))))
    calendar = Calendar(
        zone=zone_key,
        windows=tuple(ws),
        holidays=frozenset({wall_after.date()} if draw(st.booleans()) else ()),
        open_on_holidays=draw(st.booleans()),
        name="dst",
    )
    start = transition - timedelta(
        seconds=draw(st.integers(0, 2 * 86400)), microseconds=draw(st.integers(0, 10**6 - 1))
    )
    if draw(st.booleans()):
        calendar = (union if draw(st.booleans()) else intersection)(
            calendar, draw(leaf_calendars(near=start))
        )
    return calendar, start


durations = st.integers(0, 20_000 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))
short_durations = st.integers(1, 72 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))
