"""Decisions at the boundaries: refusals, zero durations, DST edges, midnight holidays,
long durations, and the caches (docs/clock.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sladesk import clock
from sladesk.clock import Calendar, CalendarError, ClockError, NaiveDatetimeError, Window, _compiled

from . import reference as ref
from .contract import always, business_day, weekday_24x5

H = timedelta(hours=1)
PACIFIC = "America/Los_Angeles"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def window(start_day, start, end_day, end):
    return Window.at(start_day=start_day, start=start, end_day=end_day, end=end)


# --- Refusals -----------------------------------------------------------------------------

NAIVE = datetime(2026, 3, 2, 9, 0)
AWARE = at("2026-03-02T09:00-08:00")


@pytest.mark.parametrize(
    "call",
    [
        lambda: clock.add(business_day, NAIVE, H),
        lambda: clock.elapsed(business_day, NAIVE, AWARE),
        lambda: clock.elapsed(business_day, AWARE, NAIVE + H),
        lambda: clock.elapsed(business_day, AWARE, AWARE + H, pauses=[(NAIVE, AWARE)]),
        lambda: clock.is_open(business_day, NAIVE),
        lambda: clock.next_open(business_day, NAIVE),
        lambda: clock.windows(business_day, NAIVE, AWARE),
        lambda: clock.next_business_day(business_day, NAIVE, at=time(17)),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(NaiveDatetimeError, match="has no UTC offset"):
        call()


def test_other_refusals():
    with pytest.raises(ClockError, match="negative"):
        clock.add(business_day, AWARE, -H)
    with pytest.raises(ClockError, match="must be a timedelta"):
        clock.add(business_day, AWARE, 3600)
    with pytest.raises(ClockError, match="must be an aware datetime"):
        clock.add(business_day, date(2026, 3, 2), H)
    with pytest.raises(ClockError, match="before start"):
        clock.elapsed(business_day, AWARE, AWARE - H)
    with pytest.raises(ClockError, match="before its start"):
        clock.elapsed(business_day, AWARE, AWARE + H, pauses=[(AWARE + H, AWARE)])
    with pytest.raises(ClockError, match="without tzinfo"):
        clock.next_business_day(business_day, AWARE, at=time(17, tzinfo=UTC))
    with pytest.raises(CalendarError, match="not a calendar"):
        clock.add("business_day", AWARE, H)
    assert issubclass(NaiveDatetimeError, ValueError)


def test_a_never_open_calendar_is_reported():
    monday = Calendar(zone="UTC", windows=(window(0, time(9), 0, time(17)),))
    tuesday = Calendar(zone="UTC", windows=(window(1, time(9), 1, time(17)),))
    never = clock.intersection(monday, tuesday)
    with pytest.raises(ClockError, match="no open time"):
        clock.add(never, AWARE, H)
    assert clock.elapsed(never, AWARE, AWARE + 100 * H) == timedelta(0)
    assert clock.windows(never, AWARE, AWARE + 100 * H) == []


# --- Zero and tiny durations, offsets of the input ---------------------------------------


def test_zero_duration_is_next_open():
    assert clock.add(business_day, at("2026-03-02T12:00-08:00"), timedelta(0)) == at(
        "2026-03-02T20:00Z"
    )
    assert clock.add(business_day, at("2026-03-02T17:00-08:00"), timedelta(0)) == at(
        "2026-03-03T17:00Z"
    )
    assert clock.next_open(business_day, at("2026-03-02T17:00-08:00")) == at("2026-03-03T17:00Z")
    assert clock.elapsed(business_day, AWARE, AWARE) == timedelta(0)
    assert clock.windows(business_day, AWARE, AWARE) == []


def test_the_input_offset_does_not_matter_and_results_are_utc():
    same = [
        at("2026-03-02T09:30-08:00"),
        at("2026-03-02T17:30Z"),
        at("2026-03-03T02:30+09:00"),
        datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo(PACIFIC)),
    ]
    dues = {clock.add(business_day, s, 3 * H) for s in same}
    assert dues == {at("2026-03-02T20:30Z")}
    assert all(d.tzinfo is UTC for d in dues)


# --- DST edges of windows (Pacific: 2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00) --


def sunday_calendar(start, end):
    return Calendar(zone=PACIFIC, windows=(window(6, start, 6, end),))


def sunday_open_time(calendar, sunday):
    return clock.elapsed(calendar, at(f"{sunday}T00:00Z"), at(f"{sunday}T00:00Z") + 48 * H)


def test_an_edge_in_the_spring_gap_is_the_instant_after_the_gap():
    cal = sunday_calendar(time(2, 30), time(4, 0))
    assert sunday_open_time(cal, "2026-03-01") == 1.5 * H
    # 02:30 does not exist on 2026-03-08: the window opens at 03:00 PDT (10:00Z).
    assert clock.windows(cal, at("2026-03-08T00:00Z"), at("2026-03-09T00:00Z")) == [
        (at("2026-03-08T10:00Z"), at("2026-03-08T11:00Z"))
    ]
    assert clock.is_open(cal, at("2026-03-08T09:59:59.999999Z")) is False  # 01:59:59 PST


def test_a_window_wholly_inside_the_gap_vanishes_that_night():
    cal = sunday_calendar(time(2, 0), time(2, 30))
    assert clock.elapsed(cal, at("2026-03-07T00:00Z"), at("2026-03-10T00:00Z")) == timedelta(0)
    assert clock.next_open(cal, at("2026-03-07T00:00Z")) == at("2026-03-15T09:00Z")  # 02:00 PDT


def test_an_edge_in_the_repeated_hour_is_its_first_occurrence():
    starts_in_it = sunday_calendar(time(1, 30), time(3, 0))
    # First 01:30 is 08:30Z (PDT); 03:00 PST is 11:00Z: 2.5 real hours.
    assert clock.windows(starts_in_it, at("2026-11-01T00:00Z"), at("2026-11-02T00:00Z")) == [
        (at("2026-11-01T08:30Z"), at("2026-11-01T11:00Z"))
    ]
    ends_in_it = sunday_calendar(time(0, 0), time(1, 30))
    # Ends at the first 01:30 (08:30Z); the second pass through 01:00-01:30 PST is closed.
    assert clock.windows(ends_in_it, at("2026-11-01T00:00Z"), at("2026-11-02T00:00Z")) == [
        (at("2026-11-01T07:00Z"), at("2026-11-01T08:30Z"))
    ]
    assert clock.is_open(ends_in_it, at("2026-11-01T01:15-08:00")) is False
    assert clock.is_open(ends_in_it, at("2026-11-01T01:15-07:00")) is True


def test_a_night_window_counts_the_real_hours():
    night = Calendar(zone=PACIFIC, windows=(window(5, time(22), 6, time(6)),))
    assert sunday_open_time(night, "2026-03-07") == 7 * H
    assert sunday_open_time(night, "2026-10-31") == 9 * H
    assert sunday_open_time(night, "2026-10-24") == 8 * H


@pytest.mark.parametrize(
    ("zone", "holiday", "closed_from", "closed_until", "hours"),
    [
        # Santiago springs forward at 24:00: 2026-09-06 00:00 does not exist, the date
        # starts at 01:00 (-03).
        ("America/Santiago", "2026-09-06", "2026-09-06T04:00Z", "2026-09-07T03:00Z", 23),
        # ... and falls back at 24:00: 2026-04-04 23:00-24:00 happens twice.
        ("America/Santiago", "2026-04-04", "2026-04-04T03:00Z", "2026-04-05T04:00Z", 25),
        # Havana falls back at 01:00 to 00:00: 2026-11-01 00:00 happens twice; the date
        # starts at its first occurrence.
        ("America/Havana", "2026-10-31", "2026-10-31T04:00Z", "2026-11-01T04:00Z", 24),
        ("America/Havana", "2026-11-01", "2026-11-01T04:00Z", "2026-11-02T05:00Z", 25),
    ],
)
def test_a_holiday_closes_its_local_date_even_when_midnight_is_odd(
    zone, holiday, closed_from, closed_until, hours
):
    cal = Calendar(
        zone=zone,
        windows=(Window(start=0, end=clock.WEEK_SECONDS),),
        holidays=frozenset({date.fromisoformat(holiday)}),
        open_on_holidays=False,
    )
    start, end = at(closed_from), at(closed_until)
    assert end - start == hours * H
    assert clock.windows(cal, start - 2 * H, end + 2 * H) == [
        (start - 2 * H, start),
        (end, end + 2 * H),
    ]
    assert ref.open_runs(cal, start - 2 * H, end + 2 * H) == [
        (start - 2 * H, start),
        (end, end + 2 * H),
    ]


def test_next_business_day_at_a_time_in_the_gap():
    cal = Calendar(zone=PACIFIC, windows=(window(6, time(9), 6, time(17)),))  # Sundays
    due = clock.next_business_day(cal, at("2026-03-07T12:00-08:00"), at=time(2, 30))
    assert due == at("2026-03-08T10:00Z")  # 03:00 PDT, the instant after the gap
    due = clock.next_business_day(cal, at("2026-10-31T12:00-07:00"), at=time(1, 30))
    assert due == at("2026-11-01T08:30Z")  # the first 01:30


# --- Long durations: flat cost, exact results ---------------------------------------------

utc_business = Calendar(
    zone="UTC",
    windows=tuple(window(d, time(9), d, time(17)) for d in range(5)),
    name="utc_business",
)


@pytest.mark.parametrize("weeks", [1, 3, 64, 65, 250, 1024, 1025, 3000])
def test_long_durations_land_exactly(weeks):
    monday = at("2026-03-02T09:00Z")
    # 40 h a week: weeks * 40 h runs out exactly at a Friday 17:00 (due then, not Monday).
    due = clock.add(utc_business, monday, weeks * 40 * H)
    assert due == monday + timedelta(weeks=weeks - 1, days=4, hours=8)
    assert clock.elapsed(utc_business, monday, due) == weeks * 40 * H
    assert clock.add(
        utc_business, monday, weeks * 40 * H + timedelta(microseconds=1)
    ) == monday + timedelta(weeks=weeks, microseconds=1)


def test_ten_thousand_hours():
    start = at("2026-03-02T09:00-08:00")
    assert clock.add(always, start, 10_000 * H) == start + 10_000 * H
    assert clock.elapsed(always, start, start + 10_000 * H) == 10_000 * H
    due = clock.add(weekday_24x5, start, 10_000 * H)
    assert clock.elapsed(weekday_24x5, start, due) == 10_000 * H
    due = clock.add(business_day, start, 10_000 * H)
    assert clock.elapsed(business_day, start, due) == 10_000 * H


def test_caches_are_bounded_and_shared():
    compiled = _compiled.compiled(utc_business)
    clock.add(utc_business, at("2026-03-02T09:00Z"), 200_000 * H)  # about 96 years
    assert compiled.week.cache_info().maxsize == _compiled.WEEK_CACHE
    assert compiled.week.cache_info().currsize <= _compiled.WEEK_CACHE
    # An equal calendar built separately reuses the compiled tables.
    twin = Calendar(zone="UTC", windows=utc_business.windows, name="utc_business")
    assert twin is not utc_business
    assert _compiled.compiled(twin) is compiled


def test_window_times_are_whole_second_wall_times():
    with pytest.raises(CalendarError, match="whole-second wall time"):
        window(0, time(9, 0, 0, 1), 0, time(17))
    with pytest.raises(CalendarError, match="whole-second wall time"):
        window(0, time(9, tzinfo=UTC), 0, time(17))
    assert window(4, time(17), 0, time(9)).wraps is True
    assert window(0, time(0), 5, time(0)) == Window(start=0, end=5 * 86400)
