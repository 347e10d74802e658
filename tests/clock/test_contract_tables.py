"""Literal expectation tables for the contract's calendars, 2025-2030.

Policy: /work/shared/policy/mattermost-support-policy.md ("Coverage calendars",
"Boundary semantics", "First-response targets"). Every expected value below is written
out by hand (dateutil ``test_rrule`` style); instants carry their offset, ``Z`` is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sladesk import clock

from . import reference as ref
from .contract import always, business_day, weekday_24x5, weekend

PACIFIC = ZoneInfo("America/Los_Angeles")
H = timedelta(hours=1)
US = timedelta(microseconds=1)
CALENDARS = {
    "business_day": business_day,
    "weekday_24x5": weekday_24x5,
    "weekend": weekend,
    "always": always,
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def pacific(day: str, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hh, mm), PACIFIC)


# --- DST nights (US: second Sunday of March, first Sunday of November) ---------------

# (Sunday, local midnight, next local midnight, open hours that night,
#  Saturday noon, Saturday noon + 24 h of open time)
# fmt: off
ALWAYS_DST = [
    ("2025-03-09", "2025-03-09T00:00-08:00", "2025-03-10T00:00-07:00", 23, "2025-03-08T12:00-08:00", "2025-03-09T20:00Z"),
    ("2025-11-02", "2025-11-02T00:00-07:00", "2025-11-03T00:00-08:00", 25, "2025-11-01T12:00-07:00", "2025-11-02T19:00Z"),
    ("2026-03-08", "2026-03-08T00:00-08:00", "2026-03-09T00:00-07:00", 23, "2026-03-07T12:00-08:00", "2026-03-08T20:00Z"),
    ("2026-11-01", "2026-11-01T00:00-07:00", "2026-11-02T00:00-08:00", 25, "2026-10-31T12:00-07:00", "2026-11-01T19:00Z"),
    ("2027-03-14", "2027-03-14T00:00-08:00", "2027-03-15T00:00-07:00", 23, "2027-03-13T12:00-08:00", "2027-03-14T20:00Z"),
    ("2027-11-07", "2027-11-07T00:00-07:00", "2027-11-08T00:00-08:00", 25, "2027-11-06T12:00-07:00", "2027-11-07T19:00Z"),
    ("2028-03-12", "2028-03-12T00:00-08:00", "2028-03-13T00:00-07:00", 23, "2028-03-11T12:00-08:00", "2028-03-12T20:00Z"),
    ("2028-11-05", "2028-11-05T00:00-07:00", "2028-11-06T00:00-08:00", 25, "2028-11-04T12:00-07:00", "2028-11-05T19:00Z"),
    ("2029-03-11", "2029-03-11T00:00-08:00", "2029-03-12T00:00-07:00", 23, "2029-03-10T12:00-08:00", "2029-03-11T20:00Z"),
    ("2029-11-04", "2029-11-04T00:00-07:00", "2029-11-05T00:00-08:00", 25, "2029-11-03T12:00-07:00", "2029-11-04T19:00Z"),
    ("2030-03-10", "2030-03-10T00:00-08:00", "2030-03-11T00:00-07:00", 23, "2030-03-09T12:00-08:00", "2030-03-10T20:00Z"),
    ("2030-11-03", "2030-11-03T00:00-07:00", "2030-11-04T00:00-08:00", 25, "2030-11-02T12:00-07:00", "2030-11-03T19:00Z"),
]
# fmt: on


@pytest.mark.parametrize(
    ("sunday", "midnight", "next_midnight", "hours", "saturday_noon", "due"), ALWAYS_DST
)
def test_always_counts_real_hours_on_dst_nights(
    sunday, midnight, next_midnight, hours, saturday_noon, due
):
    start, end = at(midnight), at(next_midnight)
    assert start.date().isoformat() == sunday
    assert clock.elapsed(always, start, end) == hours * H
    assert clock.add(always, start, hours * H) == end
    assert clock.add(always, at(saturday_noon), 24 * H) == at(due)
    # always = weekday_24x5 | weekend: one continuous interval, not two touching ones.
    assert clock.windows(always, at(saturday_noon), end) == [(at(saturday_noon), end)]


# (Friday 17:00, Monday 09:00, open hours in that weekend, Monday 09:00 in UTC,
#  due for one hour more than the weekend holds: the next Friday 18:00, in UTC)
# fmt: off
WEEKEND_DST = [
    ("2025-03-07T17:00-08:00", "2025-03-10T09:00-07:00", 63, "2025-03-10T16:00Z", "2025-03-15T01:00Z"),
    ("2025-10-31T17:00-07:00", "2025-11-03T09:00-08:00", 65, "2025-11-03T17:00Z", "2025-11-08T02:00Z"),
    ("2026-03-06T17:00-08:00", "2026-03-09T09:00-07:00", 63, "2026-03-09T16:00Z", "2026-03-14T01:00Z"),
    ("2026-10-30T17:00-07:00", "2026-11-02T09:00-08:00", 65, "2026-11-02T17:00Z", "2026-11-07T02:00Z"),
    ("2027-03-12T17:00-08:00", "2027-03-15T09:00-07:00", 63, "2027-03-15T16:00Z", "2027-03-20T01:00Z"),
    ("2027-11-05T17:00-07:00", "2027-11-08T09:00-08:00", 65, "2027-11-08T17:00Z", "2027-11-13T02:00Z"),
    ("2028-03-10T17:00-08:00", "2028-03-13T09:00-07:00", 63, "2028-03-13T16:00Z", "2028-03-18T01:00Z"),
    ("2028-11-03T17:00-07:00", "2028-11-06T09:00-08:00", 65, "2028-11-06T17:00Z", "2028-11-11T02:00Z"),
    ("2029-03-09T17:00-08:00", "2029-03-12T09:00-07:00", 63, "2029-03-12T16:00Z", "2029-03-17T01:00Z"),
    ("2029-11-02T17:00-07:00", "2029-11-05T09:00-08:00", 65, "2029-11-05T17:00Z", "2029-11-10T02:00Z"),
    ("2030-03-08T17:00-08:00", "2030-03-11T09:00-07:00", 63, "2030-03-11T16:00Z", "2030-03-16T01:00Z"),
    ("2030-11-01T17:00-07:00", "2030-11-04T09:00-08:00", 65, "2030-11-04T17:00Z", "2030-11-09T02:00Z"),
]
# fmt: on


@pytest.mark.parametrize(("friday", "monday", "hours", "monday_utc", "beyond"), WEEKEND_DST)
def test_weekend_counts_real_hours_across_dst(friday, monday, hours, monday_utc, beyond):
    fri, mon = at(friday), at(monday)
    assert clock.elapsed(weekend, fri, mon) == hours * H
    assert clock.elapsed(weekend, fri - 24 * H, mon + 24 * H) == hours * H
    # Runs out exactly at Monday 09:00: due then, not at the next Friday 17:00.
    assert clock.add(weekend, fri, hours * H) == at(monday_utc)
    assert clock.add(weekend, fri, (hours + 1) * H) == at(beyond)
    assert clock.windows(weekend, fri - 24 * H, mon + 24 * H) == [(fri, mon)]
    assert clock.is_open(weekend, fri) is True
    assert clock.is_open(weekend, mon) is False
    assert clock.is_open(weekend, mon - US) is True


# --- US federal holidays on their observed dates ----------------------------------------

# (observed date, previous business day, next business day)
# fmt: off
FEDERAL_HOLIDAYS = [
    ("2025-01-01", "2024-12-31", "2025-01-02"),  # Wed New Year's Day
    ("2025-01-20", "2025-01-17", "2025-01-21"),  # Mon Martin Luther King Jr. Day
    ("2025-02-17", "2025-02-14", "2025-02-18"),  # Mon Washington's Birthday
    ("2025-05-26", "2025-05-23", "2025-05-27"),  # Mon Memorial Day
    ("2025-06-19", "2025-06-18", "2025-06-20"),  # Thu Juneteenth National Independence Day
    ("2025-07-04", "2025-07-03", "2025-07-07"),  # Fri Independence Day
    ("2025-09-01", "2025-08-29", "2025-09-02"),  # Mon Labor Day
    ("2025-10-13", "2025-10-10", "2025-10-14"),  # Mon Columbus Day
    ("2025-11-11", "2025-11-10", "2025-11-12"),  # Tue Veterans Day
    ("2025-11-27", "2025-11-26", "2025-11-28"),  # Thu Thanksgiving Day
    ("2025-12-25", "2025-12-24", "2025-12-26"),  # Thu Christmas Day
    ("2026-01-01", "2025-12-31", "2026-01-02"),  # Thu New Year's Day
    ("2026-01-19", "2026-01-16", "2026-01-20"),  # Mon Martin Luther King Jr. Day
    ("2026-02-16", "2026-02-13", "2026-02-17"),  # Mon Washington's Birthday
    ("2026-05-25", "2026-05-22", "2026-05-26"),  # Mon Memorial Day
    ("2026-06-19", "2026-06-18", "2026-06-22"),  # Fri Juneteenth National Independence Day
    ("2026-07-03", "2026-07-02", "2026-07-06"),  # Fri Independence Day (observed)
    ("2026-09-07", "2026-09-04", "2026-09-08"),  # Mon Labor Day
    ("2026-10-12", "2026-10-09", "2026-10-13"),  # Mon Columbus Day
    ("2026-11-11", "2026-11-10", "2026-11-12"),  # Wed Veterans Day
    ("2026-11-26", "2026-11-25", "2026-11-27"),  # Thu Thanksgiving Day
    ("2026-12-25", "2026-12-24", "2026-12-28"),  # Fri Christmas Day
    ("2027-01-01", "2026-12-31", "2027-01-04"),  # Fri New Year's Day
    ("2027-01-18", "2027-01-15", "2027-01-19"),  # Mon Martin Luther King Jr. Day
    ("2027-02-15", "2027-02-12", "2027-02-16"),  # Mon Washington's Birthday
    ("2027-05-31", "2027-05-28", "2027-06-01"),  # Mon Memorial Day
    ("2027-06-18", "2027-06-17", "2027-06-21"),  # Fri Juneteenth National Independence Day (observed)
    ("2027-07-05", "2027-07-02", "2027-07-06"),  # Mon Independence Day (observed)
    ("2027-09-06", "2027-09-03", "2027-09-07"),  # Mon Labor Day
    ("2027-10-11", "2027-10-08", "2027-10-12"),  # Mon Columbus Day
    ("2027-11-11", "2027-11-10", "2027-11-12"),  # Thu Veterans Day
    ("2027-11-25", "2027-11-24", "2027-11-26"),  # Thu Thanksgiving Day
    ("2027-12-24", "2027-12-23", "2027-12-27"),  # Fri Christmas Day (observed)
    ("2027-12-31", "2027-12-30", "2028-01-03"),  # Fri New Year's Day (observed)
    ("2028-01-17", "2028-01-14", "2028-01-18"),  # Mon Martin Luther King Jr. Day
    ("2028-02-21", "2028-02-18", "2028-02-22"),  # Mon Washington's Birthday
    ("2028-05-29", "2028-05-26", "2028-05-30"),  # Mon Memorial Day
    ("2028-06-19", "2028-06-16", "2028-06-20"),  # Mon Juneteenth National Independence Day
    ("2028-07-04", "2028-07-03", "2028-07-05"),  # Tue Independence Day
    ("2028-09-04", "2028-09-01", "2028-09-05"),  # Mon Labor Day
    ("2028-10-09", "2028-10-06", "2028-10-10"),  # Mon Columbus Day
    ("2028-11-10", "2028-11-09", "2028-11-13"),  # Fri Veterans Day (observed)
    ("2028-11-23", "2028-11-22", "2028-11-24"),  # Thu Thanksgiving Day
    ("2028-12-25", "2028-12-22", "2028-12-26"),  # Mon Christmas Day
    ("2029-01-01", "2028-12-29", "2029-01-02"),  # Mon New Year's Day
    ("2029-01-15", "2029-01-12", "2029-01-16"),  # Mon Martin Luther King Jr. Day
    ("2029-02-19", "2029-02-16", "2029-02-20"),  # Mon Washington's Birthday
    ("2029-05-28", "2029-05-25", "2029-05-29"),  # Mon Memorial Day
    ("2029-06-19", "2029-06-18", "2029-06-20"),  # Tue Juneteenth National Independence Day
    ("2029-07-04", "2029-07-03", "2029-07-05"),  # Wed Independence Day
    ("2029-09-03", "2029-08-31", "2029-09-04"),  # Mon Labor Day
    ("2029-10-08", "2029-10-05", "2029-10-09"),  # Mon Columbus Day
    ("2029-11-12", "2029-11-09", "2029-11-13"),  # Mon Veterans Day (observed)
    ("2029-11-22", "2029-11-21", "2029-11-23"),  # Thu Thanksgiving Day
    ("2029-12-25", "2029-12-24", "2029-12-26"),  # Tue Christmas Day
    ("2030-01-01", "2029-12-31", "2030-01-02"),  # Tue New Year's Day
    ("2030-01-21", "2030-01-18", "2030-01-22"),  # Mon Martin Luther King Jr. Day
    ("2030-02-18", "2030-02-15", "2030-02-19"),  # Mon Washington's Birthday
    ("2030-05-27", "2030-05-24", "2030-05-28"),  # Mon Memorial Day
    ("2030-06-19", "2030-06-18", "2030-06-20"),  # Wed Juneteenth National Independence Day
    ("2030-07-04", "2030-07-03", "2030-07-05"),  # Thu Independence Day
    ("2030-09-02", "2030-08-30", "2030-09-03"),  # Mon Labor Day
    ("2030-10-14", "2030-10-11", "2030-10-15"),  # Mon Columbus Day
    ("2030-11-11", "2030-11-08", "2030-11-12"),  # Mon Veterans Day
    ("2030-11-28", "2030-11-27", "2030-11-29"),  # Thu Thanksgiving Day
    ("2030-12-25", "2030-12-24", "2030-12-26"),  # Wed Christmas Day
]
# fmt: on


def test_the_holiday_table_is_the_federal_list():
    """The table holds every weekday date holidays.US gives for 2025-2030 (11 a year)."""
    import holidays

    listed = {
        d
        for d in holidays.US(years=range(2025, 2032), observed=True)
        if d.weekday() < 5 and 2025 <= d.year <= 2030
    }
    assert {date.fromisoformat(row[0]) for row in FEDERAL_HOLIDAYS} == listed
    assert len(FEDERAL_HOLIDAYS) == 66


@pytest.mark.parametrize(("holiday", "before", "after"), FEDERAL_HOLIDAYS)
def test_business_day_is_closed_on_observed_federal_holidays(holiday, before, after):
    start = pacific(holiday, 0)
    assert clock.elapsed(business_day, start, pacific(holiday, 23, 59)) == timedelta(0)
    assert clock.is_open(business_day, pacific(holiday, 12)) is False
    assert clock.is_open(business_day, pacific(before, 12)) is True
    assert clock.is_open(business_day, pacific(after, 9)) is True
    # Two hours from 16:00 the business day before: one that day, one the day after.
    assert clock.add(business_day, pacific(before, 16), 2 * H) == pacific(after, 10)
    assert clock.next_business_day(business_day, pacific(before, 12), at=time(17)) == pacific(
        after, 17
    )
    assert clock.next_open(business_day, pacific(before, 17)) == pacific(after, 9)
    # weekday_24x5 and weekend are open on holidays (decided).
    assert clock.is_open(weekday_24x5, pacific(holiday, 12)) is True
    assert clock.is_open(always, pacific(holiday, 12)) is True


# --- Boundaries, year ends, zero durations ------------------------------------------------

ADD = [
    # opened exactly at a window's start / exactly at its end
    ("business_day", "2026-03-02T09:00-08:00", H, "2026-03-02T10:00-08:00"),
    ("business_day", "2026-03-02T17:00-08:00", H, "2026-03-03T10:00-08:00"),
    ("business_day", "2026-03-02T08:59:59.999999-08:00", H, "2026-03-02T10:00-08:00"),
    # a target that runs out exactly at a window's end is due at that end
    ("business_day", "2026-03-02T09:00-08:00", 8 * H, "2026-03-02T17:00-08:00"),
    ("business_day", "2026-03-06T16:00-08:00", H, "2026-03-06T17:00-08:00"),
    ("business_day", "2026-03-02T16:59:59.999999-08:00", US, "2026-03-02T17:00-08:00"),
    ("business_day", "2026-03-02T09:00-08:00", 40 * H, "2026-03-06T17:00-08:00"),
    ("business_day", "2026-03-02T09:00-08:00", 40 * H + US, "2026-03-09T09:00:00.000001-07:00"),
    # microseconds carried exactly
    ("business_day", "2026-03-02T09:00:00.000001-08:00", 8 * H, "2026-03-03T09:00:00.000001-08:00"),
    # Friday 17:00, the weekend, and the spring-forward Sunday in between
    ("business_day", "2026-03-06T16:00-08:00", 2 * H, "2026-03-09T10:00-07:00"),
    ("business_day", "2026-03-06T17:00-08:00", 8 * H, "2026-03-09T17:00-07:00"),
    ("business_day", "2026-03-07T11:00-08:00", H, "2026-03-09T10:00-07:00"),
    ("business_day", "2026-10-30T16:00-07:00", 2 * H, "2026-11-02T10:00-08:00"),
    ("business_day", "2026-06-18T16:30-07:00", H, "2026-06-22T09:30-07:00"),
    # year ends (2027-12-31 is New Year's Day 2028 observed)
    ("business_day", "2025-12-31T16:00-08:00", 2 * H, "2026-01-02T10:00-08:00"),
    ("business_day", "2027-12-30T16:00-08:00", 2 * H, "2028-01-03T10:00-08:00"),
    ("business_day", "2030-12-31T16:00-08:00", 2 * H, "2031-01-02T10:00-08:00"),
    # zero durations: the start if open, else the next open instant
    ("business_day", "2026-03-02T12:00-08:00", timedelta(0), "2026-03-02T12:00-08:00"),
    ("business_day", "2026-03-02T17:00-08:00", timedelta(0), "2026-03-03T09:00-08:00"),
    ("business_day", "2026-03-06T18:00-08:00", timedelta(0), "2026-03-09T09:00-07:00"),
    # weekday_24x5: Monday 00:00 to Saturday 00:00, open on holidays
    ("weekday_24x5", "2026-03-06T20:00-08:00", 4 * H, "2026-03-07T00:00-08:00"),
    ("weekday_24x5", "2026-03-06T23:00-08:00", 2 * H, "2026-03-09T01:00-07:00"),
    ("weekday_24x5", "2026-03-07T00:00-08:00", H, "2026-03-09T01:00-07:00"),
    ("weekday_24x5", "2026-03-02T00:00-08:00", 120 * H, "2026-03-07T00:00-08:00"),
    ("weekday_24x5", "2026-07-03T12:00-07:00", H, "2026-07-03T13:00-07:00"),
    ("weekday_24x5", "2026-10-30T12:00-07:00", 24 * H, "2026-11-02T12:00-08:00"),
    ("weekday_24x5", "2027-12-31T23:00-08:00", 2 * H, "2028-01-03T01:00-08:00"),
    # weekend: Friday 17:00 to Monday 09:00
    ("weekend", "2026-03-06T16:00-08:00", H, "2026-03-06T18:00-08:00"),
    ("weekend", "2026-03-09T08:00-07:00", H, "2026-03-09T09:00-07:00"),
    ("weekend", "2026-03-09T09:00-07:00", H, "2026-03-13T18:00-07:00"),
    # always: real hours across the gap and the repeated hour
    ("always", "2026-03-08T01:30-08:00", H, "2026-03-08T03:30-07:00"),
    ("always", "2026-11-01T01:30-07:00", H, "2026-11-01T01:30-08:00"),
    ("always", "2029-12-31T23:30-08:00", H, "2030-01-01T00:30-08:00"),
]


@pytest.mark.parametrize(("name", "start", "duration", "due"), ADD)
def test_add(name, start, duration, due):
    result = clock.add(CALENDARS[name], at(start), duration)
    assert result == at(due)
    assert result.tzinfo is UTC


IS_OPEN = [
    ("business_day", "2026-03-06T16:59:59.999999-08:00", True),
    ("business_day", "2026-03-06T17:00-08:00", False),
    ("business_day", "2026-03-07T00:59Z", True),  # Friday 16:59 Pacific
    ("business_day", "2026-03-07T01:00Z", False),
    ("business_day", "2026-03-09T08:59:59.999999-07:00", False),
    ("business_day", "2026-03-09T09:00-07:00", True),
    ("business_day", "2026-07-02T12:00-07:00", True),
    ("business_day", "2026-07-03T12:00-07:00", False),  # Independence Day observed
    ("business_day", "2026-07-06T09:00-07:00", True),
    ("business_day", "2027-12-24T12:00-08:00", False),  # Christmas observed
    ("business_day", "2027-12-30T12:00-08:00", True),
    ("business_day", "2027-12-31T12:00-08:00", False),  # New Year's Day 2028 observed
    ("weekend", "2026-03-06T16:59:59.999999-08:00", False),
    ("weekend", "2026-03-06T17:00-08:00", True),
    ("weekend", "2026-03-08T10:00Z", True),  # 03:00 PDT, just after the gap
    ("weekend", "2026-03-09T08:59:59.999999-07:00", True),
    ("weekend", "2026-03-09T09:00-07:00", False),
    ("weekday_24x5", "2026-03-06T23:59:59.999999-08:00", True),
    ("weekday_24x5", "2026-03-07T00:00-08:00", False),
    ("weekday_24x5", "2026-03-08T23:59:59.999999-07:00", False),
    ("weekday_24x5", "2026-03-09T00:00-07:00", True),
    ("weekday_24x5", "2026-07-03T12:00-07:00", True),
    ("always", "2026-03-06T17:00-08:00", True),
    ("always", "2026-03-07T00:00-08:00", True),
    ("always", "2026-03-09T00:00-07:00", True),
    ("always", "2026-03-09T09:00-07:00", True),
    ("always", "2026-11-01T01:30-08:00", True),
]


@pytest.mark.parametrize(("name", "instant", "expected"), IS_OPEN)
def test_is_open(name, instant, expected):
    assert clock.is_open(CALENDARS[name], at(instant)) is expected


ELAPSED = [
    ("business_day", "2026-03-02T09:00-08:00", "2026-03-02T17:00-08:00", 8 * H),
    ("business_day", "2026-03-06T12:00-08:00", "2026-03-09T12:00-07:00", 8 * H),
    ("business_day", "2026-12-24T09:00-08:00", "2027-01-04T09:00-08:00", 40 * H),
    # Whole years: weekdays minus the weekday observed holidays, 8 h each.
    ("business_day", "2026-01-01T00:00-08:00", "2027-01-01T00:00-08:00", 2000 * H),  # 261 - 11
    ("business_day", "2027-01-01T00:00-08:00", "2028-01-01T00:00-08:00", 1992 * H),  # 261 - 12
    ("business_day", "2028-01-01T00:00-08:00", "2029-01-01T00:00-08:00", 2000 * H),  # 260 - 10
    ("weekday_24x5", "2026-03-02T00:00-08:00", "2026-03-09T00:00-07:00", 120 * H),
    ("weekday_24x5", "2026-03-07T00:00-08:00", "2026-03-09T00:00-07:00", timedelta(0)),
    ("always", "2026-01-01T00:00-08:00", "2027-01-01T00:00-08:00", 8760 * H),
    ("always", "2026-03-02T00:00-08:00", "2026-03-09T00:00-07:00", 167 * H),
    ("weekend", "2026-10-26T00:00-07:00", "2026-11-09T00:00-08:00", 129 * H),  # 64 + 65
]


@pytest.mark.parametrize(("name", "start", "end", "expected"), ELAPSED)
def test_elapsed(name, start, end, expected):
    assert clock.elapsed(CALENDARS[name], at(start), at(end)) == expected


def test_elapsed_subtracts_overlapping_pauses_once():
    pauses = [
        (at("2026-03-02T10:00-08:00"), at("2026-03-02T11:00-08:00")),
        (at("2026-03-02T10:30-08:00"), at("2026-03-02T12:00-08:00")),  # overlaps the first
        (at("2026-03-02T16:00-08:00"), at("2026-03-02T18:00-08:00")),  # runs past the end
        (at("2026-03-01T10:00-08:00"), at("2026-03-01T11:00-08:00")),  # before the start
    ]
    result = clock.elapsed(
        business_day, at("2026-03-02T09:00-08:00"), at("2026-03-02T17:00-08:00"), pauses=pauses
    )
    assert result == 5 * H


def test_windows_lists_the_open_intervals_clipped():
    assert clock.windows(
        business_day, at("2026-06-29T00:00-07:00"), at("2026-07-06T00:00-07:00")
    ) == [
        (at("2026-06-29T16:00Z"), at("2026-06-30T00:00Z")),
        (at("2026-06-30T16:00Z"), at("2026-07-01T00:00Z")),
        (at("2026-07-01T16:00Z"), at("2026-07-02T00:00Z")),
        (at("2026-07-02T16:00Z"), at("2026-07-03T00:00Z")),
        # Friday 2026-07-03 is Independence Day observed.
    ]
    assert clock.windows(
        business_day, at("2026-06-29T12:00-07:00"), at("2026-06-29T13:00-07:00")
    ) == [(at("2026-06-29T19:00Z"), at("2026-06-29T20:00Z"))]
    # always is one interval across weeks and both DST changes of 2026.
    assert clock.windows(always, at("2026-01-01T00:00-08:00"), at("2027-01-01T00:00-08:00")) == [
        (at("2026-01-01T08:00Z"), at("2027-01-01T08:00Z"))
    ]


# --- Next business day (17:00 Pacific on the first business date after the opening date) --

NEXT_BUSINESS_DAY = [
    ("business_day", "2026-03-06T20:00-08:00", "2026-03-09T17:00-07:00"),  # Friday evening
    ("business_day", "2025-06-13T19:00-07:00", "2025-06-16T17:00-07:00"),
    # Already Wednesday in UTC, still Tuesday in Pacific: Wednesday, not Thursday.
    ("business_day", "2026-03-04T03:00Z", "2026-03-04T17:00-08:00"),
    # Wednesday in the caller's offset (Tokyo), Tuesday in Pacific.
    ("business_day", "2026-03-04T01:30+09:00", "2026-03-04T17:00-08:00"),
    # The time of day is ignored.
    ("business_day", "2026-03-03T00:00-08:00", "2026-03-04T17:00-08:00"),
    ("business_day", "2026-03-03T23:59:59.999999-08:00", "2026-03-04T17:00-08:00"),
    # Holidays on their observed dates; the day after Thanksgiving is a business day.
    ("business_day", "2026-07-02T10:00-07:00", "2026-07-06T17:00-07:00"),
    ("business_day", "2026-07-04T10:00-07:00", "2026-07-06T17:00-07:00"),
    ("business_day", "2026-01-19T10:00-08:00", "2026-01-20T17:00-08:00"),
    ("business_day", "2026-11-25T12:00-08:00", "2026-11-27T17:00-08:00"),
    ("business_day", "2026-12-31T09:00-08:00", "2027-01-04T17:00-08:00"),
    ("business_day", "2027-12-23T16:00-08:00", "2027-12-27T17:00-08:00"),
    ("business_day", "2027-12-30T16:00-08:00", "2028-01-03T17:00-08:00"),
    # Across fall back, opened in the repeated hour.
    ("business_day", "2026-10-31T12:00-07:00", "2026-11-02T17:00-08:00"),
    ("business_day", "2026-11-01T01:30-08:00", "2026-11-02T17:00-08:00"),
    # Other calendars' business dates: weekday_24x5 is open on holidays; weekend is Fri-Mon.
    ("weekday_24x5", "2026-07-02T10:00-07:00", "2026-07-03T17:00-07:00"),
    ("weekday_24x5", "2026-03-06T10:00-08:00", "2026-03-09T17:00-07:00"),
    ("weekend", "2026-03-03T10:00-08:00", "2026-03-06T17:00-08:00"),
    ("weekend", "2026-03-07T10:00-08:00", "2026-03-08T17:00-07:00"),
    ("always", "2026-03-07T10:00-08:00", "2026-03-08T17:00-07:00"),
]


@pytest.mark.parametrize(("name", "opened", "due"), NEXT_BUSINESS_DAY)
def test_next_business_day(name, opened, due):
    result = clock.next_business_day(CALENDARS[name], at(opened), at=time(17))
    assert result == at(due)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(("name", "start", "duration", "due"), ADD)
def test_add_table_agrees_with_the_brute_force_reference(name, start, duration, due):
    assert ref.add(CALENDARS[name], at(start), duration) == at(due)


@pytest.mark.parametrize(("name", "opened", "due"), NEXT_BUSINESS_DAY)
def test_next_business_day_table_agrees_with_the_reference(name, opened, due):
    found = ref.next_business_day(
        CALENDARS[name], at(opened), at=time(17), zone="America/Los_Angeles"
    )
    assert found == at(due)
