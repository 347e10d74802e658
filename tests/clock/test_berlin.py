"""A second zone: Mon-Fri 08:00-18:00 Europe/Berlin, closed on German national holidays.

Europe changes clocks on the last Sundays of March and October at 01:00 UTC. The
holiday dates are whatever ``holidays.DE()`` (no state given: national holidays only)
says; 24 December, for one, is not among them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from sladesk import clock
from sladesk.clock import CalendarError

from . import reference as ref
from .contract import DE_NATIONAL, berlin_office, business_day

H = timedelta(hours=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# (opened: 17:00 on the last business day before the change, 2 h, due: 09:00 on the next)
# fmt: off
DST_WEEKENDS = [
    ("2025-03-28T17:00+01:00", "2025-03-31T07:00Z"),
    ("2025-10-24T17:00+02:00", "2025-10-27T08:00Z"),
    ("2026-03-27T17:00+01:00", "2026-03-30T07:00Z"),
    ("2026-10-23T17:00+02:00", "2026-10-26T08:00Z"),
    ("2027-03-25T17:00+01:00", "2027-03-30T07:00Z"),  # Good Friday and Easter Monday too
    ("2027-10-29T17:00+02:00", "2027-11-01T08:00Z"),  # All Saints' Day is regional only
    ("2028-03-24T17:00+01:00", "2028-03-27T07:00Z"),
    ("2028-10-27T17:00+02:00", "2028-10-30T08:00Z"),
    ("2029-03-23T17:00+01:00", "2029-03-26T07:00Z"),
    ("2029-10-26T17:00+02:00", "2029-10-29T08:00Z"),
    ("2030-03-29T17:00+01:00", "2030-04-01T07:00Z"),
    ("2030-10-25T17:00+02:00", "2030-10-28T08:00Z"),
]
# fmt: on


@pytest.mark.parametrize(("opened", "due"), DST_WEEKENDS)
def test_two_hours_over_each_dst_weekend(opened, due):
    assert clock.add(berlin_office, at(opened), 2 * H) == at(due)
    assert ref.add(berlin_office, at(opened), 2 * H) == at(due)


def test_windows_are_wall_time_so_the_dst_weekend_loses_no_open_time():
    # Friday 12:00 CET to Monday 12:00 CEST is 71 real hours, 10 of them open.
    start, end = at("2026-03-27T12:00+01:00"), at("2026-03-30T12:00+02:00")
    assert end - start == 71 * H
    assert clock.elapsed(berlin_office, start, end) == 10 * H
    assert clock.windows(berlin_office, start, end) == [
        (at("2026-03-27T11:00Z"), at("2026-03-27T17:00Z")),
        (at("2026-03-30T06:00Z"), at("2026-03-30T10:00Z")),
    ]


# fmt: off
HOLIDAYS = [
    # (opened, duration, due): each skips the closed dates in between
    ("2026-04-02T17:00+02:00", 2 * H, "2026-04-07T07:00Z"),  # Good Friday 04-03, Easter Monday 04-06
    ("2026-04-30T17:00+02:00", 2 * H, "2026-05-04T07:00Z"),  # Labour Day, Friday 05-01
    ("2026-05-13T17:00+02:00", 2 * H, "2026-05-15T07:00Z"),  # Ascension Day, Thursday 05-14
    ("2026-05-22T17:00+02:00", 2 * H, "2026-05-26T07:00Z"),  # Whit Monday 05-25
    ("2025-10-02T17:00+02:00", 2 * H, "2025-10-06T07:00Z"),  # German Unity Day, Friday 2025-10-03
    ("2026-10-02T17:00+02:00", 2 * H, "2026-10-05T07:00Z"),  # ... a Saturday in 2026: no effect
    ("2025-12-24T17:00+01:00", 2 * H, "2025-12-29T08:00Z"),  # Christmas Thursday and Friday
    ("2026-12-24T17:00+01:00", 2 * H, "2026-12-28T08:00Z"),  # 24 Dec is a business day
    ("2026-12-31T17:00+01:00", 2 * H, "2027-01-04T08:00Z"),  # New Year's Day, Friday
]
# fmt: on


@pytest.mark.parametrize(("opened", "duration", "due"), HOLIDAYS)
def test_holidays(opened, duration, due):
    assert clock.add(berlin_office, at(opened), duration) == at(due)
    assert ref.add(berlin_office, at(opened), duration) == at(due)


def test_what_holidays_de_contains():
    assert date(2026, 4, 3) in DE_NATIONAL  # Good Friday
    assert date(2026, 12, 24) not in DE_NATIONAL
    assert date(2027, 11, 1) not in DE_NATIONAL  # All Saints' Day: some states only
    assert clock.is_open(berlin_office, at("2026-12-24T12:00+01:00")) is True
    assert clock.is_open(berlin_office, at("2026-12-25T12:00+01:00")) is False


def test_a_whole_year():
    # 2026: 261 weekdays, 7 of them national holidays (10-03 and 12-26 are Saturdays).
    start, end = at("2026-01-01T00:00+01:00"), at("2027-01-01T00:00+01:00")
    assert clock.elapsed(berlin_office, start, end) == 254 * 10 * H


def test_next_business_day_reads_the_berlin_date():
    # Thursday evening before Easter: Tuesday.
    due = clock.next_business_day(berlin_office, at("2026-04-02T20:00+02:00"), at=time(18))
    assert due == at("2026-04-07T16:00Z")
    # Thursday 16:30 in Los Angeles is already Friday 00:30 in Berlin: Monday, not Friday.
    due = clock.next_business_day(berlin_office, at("2026-03-26T16:30-07:00"), at=time(18))
    assert due == at("2026-03-30T16:00Z")
    assert due.tzinfo is UTC


# --- Unions and intersections across zones ----------------------------------------------

follow_the_sun = clock.union(business_day, berlin_office, name="follow_the_sun")
overlap = clock.intersection(business_day, berlin_office, name="overlap")


def test_union_across_zones_merges_touching_windows():
    # Winter: Berlin 08-18 CET is 07-17Z, Pacific 09-17 PST is 17-01Z: they touch at 17Z.
    day, next_day = at("2026-01-12T00:00Z"), at("2026-01-13T12:00Z")
    assert clock.windows(follow_the_sun, day, next_day) == [
        (at("2026-01-12T07:00Z"), at("2026-01-13T01:00Z")),
        (at("2026-01-13T07:00Z"), at("2026-01-13T12:00Z")),
    ]
    assert clock.elapsed(overlap, day, next_day) == timedelta(0)


def test_zones_drift_apart_between_the_us_and_eu_dst_changes():
    # 2026-03-16: the US is on PDT since 03-08, Berlin still on CET until 03-29.
    day, next_day = at("2026-03-16T00:00Z"), at("2026-03-17T00:00Z")
    assert clock.elapsed(follow_the_sun, day, next_day) == 17 * H  # 07:00Z to 00:00Z
    assert clock.elapsed(overlap, day, next_day) == H  # 16:00Z to 17:00Z
    assert clock.add(overlap, at("2026-03-16T16:00Z"), H) == at("2026-03-16T17:00Z")
    assert clock.add(overlap, at("2026-03-16T16:00Z"), 2 * H) == at("2026-03-17T17:00Z")
    # After 03-29 both are on summer time: the overlap is gone again.
    assert clock.elapsed(overlap, at("2026-03-30T00:00Z"), at("2026-04-03T00:00Z")) == timedelta(0)


def test_next_business_day_of_a_mixed_union_needs_a_zone():
    with pytest.raises(CalendarError, match="mixes zones"):
        clock.next_business_day(follow_the_sun, at("2026-03-16T12:00Z"), at=time(17))
    due = clock.next_business_day(
        follow_the_sun, at("2026-03-20T12:00Z"), at=time(17), zone="Europe/Berlin"
    )
    # Friday's Pacific window runs to 17:00 PDT = Saturday 01:00 CET: in Berlin's dates,
    # that Saturday has open time, so it is the next business date.
    assert due == at("2026-03-21T16:00Z")
