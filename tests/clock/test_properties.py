"""Hypothesis laws for the clock, and agreement with the brute-force reference."""

from __future__ import annotations

from datetime import UTC, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from sladesk import clock
from sladesk.clock import _compiled

from . import contract
from . import reference as ref
from .strategies import (
    CLOCK,
    CLOCK_SLOW,
    calendars,
    dst_scenarios,
    durations,
    instants,
    leaf_calendars,
    scenarios,
    short_durations,
)

ZERO = timedelta(0)


def _bounded(calendar, start, d):
    """Cap ``d`` at about 200 weeks of the calendar's open time; skip never-open ones.

    Generated calendars can be open a few minutes a week, where 20,000 h would reach
    beyond the year 9999; the contract calendars test the long durations.
    """
    weekly = clock.elapsed(calendar, start, start + timedelta(weeks=8)) / 8
    assume(weekly >= timedelta(minutes=1))
    return min(d, weekly * 200)


def _merge(spans):
    out = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        elif a < b:
            out.append((a, b))
    return out


@CLOCK_SLOW
@given(st.one_of(scenarios(), dst_scenarios()), st.integers(60, 8 * 86400), st.data())
def test_agrees_with_the_brute_force_reference(scenario, span_seconds, data):
    """One minute-by-minute walk checks windows, elapsed, is_open, next_open and add."""
    calendar, start = scenario
    end = start + timedelta(seconds=span_seconds)
    runs = ref.open_runs(calendar, start, end)
    total = sum((b - a for a, b in runs), ZERO)

    assert clock.windows(calendar, start, end) == runs
    assert clock.elapsed(calendar, start, end) == total
    assert clock.is_open(calendar, start) is ref.is_open(calendar, start)
    if runs:
        assert clock.next_open(calendar, start) == runs[0][0]
        assert clock.add(calendar, start, ZERO) == runs[0][0]
    else:
        try:
            assert clock.next_open(calendar, start) >= end
        except clock.ClockError as exc:  # never open (two disjoint calendars intersected)
            assert "no open time" in str(exc)

    # Durations ending inside a run, exactly at each run's end, and at the very end.
    checks = [total]
    cumulative = ZERO
    for a, b in runs[:6]:
        cumulative += b - a
        checks.append(cumulative)
    if total > ZERO:
        micros = data.draw(st.integers(1, total // timedelta(microseconds=1)))
        checks.append(timedelta(microseconds=micros))
    for d in checks:
        if d <= ZERO:
            continue
        due = clock.add(calendar, start, d)
        assert due == ref.add_from_runs(runs, d)
        assert due.tzinfo is UTC
        assert clock.elapsed(calendar, start, due) == d


@CLOCK_SLOW
@given(
    st.one_of(scenarios(), dst_scenarios()),
    st.integers(60, 4 * 86400),
    st.lists(st.tuples(st.integers(-86400, 5 * 86400), st.integers(0, 2 * 86400)), max_size=4),
)
def test_pauses_agree_with_the_reference(scenario, span_seconds, raw_pauses):
    calendar, start = scenario
    end = start + timedelta(seconds=span_seconds)
    pauses = [
        (start + timedelta(seconds=a, microseconds=7), start + timedelta(seconds=a + n))
        for a, n in raw_pauses
    ]
    pauses = [(a, b) for a, b in pauses if a <= b]
    expected = ref.elapsed(calendar, start, end, pauses=pauses)
    assert clock.elapsed(calendar, start, end, pauses=pauses) == expected


@CLOCK
@given(
    calendars(),
    instants(),
    st.lists(st.tuples(instants(), st.integers(0, 3 * 86400)), max_size=5),
    st.integers(0, 20 * 86400),
)
def test_pauses_subtract_the_open_time_of_their_union(calendar, start, raw, span):
    end = start + timedelta(seconds=span)
    pauses = [(a, a + timedelta(seconds=n)) for a, n in raw]
    clipped = [(max(a, start), min(b, end)) for a, b in pauses]
    merged = _merge([(a, b) for a, b in clipped if a < b])
    paused = sum((clock.elapsed(calendar, a, b) for a, b in merged), ZERO)
    assert (
        clock.elapsed(calendar, start, end, pauses=pauses)
        == clock.elapsed(calendar, start, end) - paused
    )
    # Order and duplication of pauses do not matter.
    assert clock.elapsed(calendar, start, end, pauses=pauses[::-1] + pauses) == clock.elapsed(
        calendar, start, end, pauses=pauses
    )


@CLOCK
@given(st.data())
def test_elapsed_inverts_add_for_long_durations(data):
    """``elapsed(s, add(s, d)) == d`` up to 20,000 h, which runs through the block tables."""
    calendar = data.draw(
        st.sampled_from(
            [
                contract.business_day,
                contract.weekday_24x5,
                contract.weekend,
                contract.always,
                contract.berlin_office,
            ]
        )
    )
    start = data.draw(instants())
    d = data.draw(durations)
    due = clock.add(calendar, start, d)
    assert clock.elapsed(calendar, start, due) == d
    if d > ZERO:
        assert clock.is_open(calendar, due - timedelta(microseconds=1))


@CLOCK
@given(calendars(), instants(), durations, durations)
def test_add_is_additive(calendar, start, d1, d2):
    d1, d2 = _bounded(calendar, start, d1), _bounded(calendar, start, d2)
    assume(d2 > ZERO)
    whole = clock.add(calendar, start, d1 + d2)
    assert clock.add(calendar, clock.add(calendar, start, d1), d2) == whole


@CLOCK
@given(calendars(), instants(), instants(), durations, durations)
def test_add_is_monotonic_in_start_and_duration(calendar, s1, s2, d1, d2):
    s1, s2 = sorted((s1, s2))
    d1, d2 = sorted((_bounded(calendar, s1, d1), _bounded(calendar, s1, d2)))
    assert clock.add(calendar, s1, d1) <= clock.add(calendar, s2, d1)
    assert clock.add(calendar, s1, d1) <= clock.add(calendar, s1, d2)


@CLOCK
@given(calendars(), instants(), st.integers(0, 3 * 365 * 86400), st.integers(0, 3 * 365 * 86400))
def test_elapsed_is_additive_over_adjacent_spans(calendar, a, n1, n2):
    b = a + timedelta(seconds=n1, microseconds=3)
    c = b + timedelta(seconds=n2)
    assert clock.elapsed(calendar, a, c) == clock.elapsed(calendar, a, b) + clock.elapsed(
        calendar, b, c
    )
    assert ZERO <= clock.elapsed(calendar, a, c) <= c - a


@CLOCK
@given(
    leaf_calendars(),
    leaf_calendars(),
    leaf_calendars(),
    st.lists(instants(), min_size=1, max_size=8),
)
def test_union_and_intersection_are_any_and_all(a, b, c, moments):
    for t in moments:
        parts = [clock.is_open(x, t) for x in (a, b, c)]
        assert clock.is_open(clock.union(a, b, c), t) is any(parts)
        assert clock.is_open(clock.intersection(a, b, c), t) is all(parts)


@CLOCK
@given(leaf_calendars(), leaf_calendars(), leaf_calendars(), instants(), st.integers(0, 30 * 86400))
def test_union_and_intersection_laws(a, b, c, start, span):
    end = start + timedelta(seconds=span)
    u, i = clock.union, clock.intersection

    def same(x, y):
        assert clock.elapsed(x, start, end) == clock.elapsed(y, start, end)
        assert clock.is_open(x, start) is clock.is_open(y, start)
        assert clock.windows(x, start, end) == clock.windows(y, start, end)

    same(u(a, b), u(b, a))  # commutative
    same(i(a, b), i(b, a))
    same(u(u(a, b), c), u(a, u(b, c)))  # associative
    same(i(i(a, b), c), i(a, i(b, c)))
    same(u(a, a), a)  # idempotent
    same(i(a, a), a)
    same(i(a, u(a, b)), a)  # absorption
    # Inclusion-exclusion on open time.
    assert clock.elapsed(u(a, b), start, end) + clock.elapsed(i(a, b), start, end) == clock.elapsed(
        a, start, end
    ) + clock.elapsed(b, start, end)


@CLOCK
@given(calendars(), instants(), short_durations)
def test_results_are_utc_and_windows_are_merged(calendar, start, d):
    due = clock.add(calendar, start, _bounded(calendar, start, d))
    d = clock.elapsed(calendar, start, due)
    assert due.tzinfo is UTC
    spans = clock.windows(calendar, start, due)
    assert sum((b - a for a, b in spans), ZERO) == d
    for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False):
        assert b1 < a2  # merged: no two intervals touch


@CLOCK
@given(
    st.sampled_from(
        [contract.business_day, contract.always, contract.weekend, contract.berlin_office]
    ),
    st.integers(2400, 3800),
    st.integers(1, 2_000_000 * 3600 * 10**6),
    st.booleans(),
)
def test_seek_matches_a_linear_walk(calendar, k, rem, walk):
    """White box: the block and group jumps land where stepping week by week would."""
    c = _compiled.compiled(calendar)
    rem = rem % (3 * 1024 * c.block(k // 64)[64] // 64 + 1) + 1
    j, left = _compiled.seek(c, k, rem, walk=walk)
    linear, w = rem, k
    while linear > c.week(w)[3]:
        linear -= c.week(w)[3]
        w += 1
    assert (j, left) == (w, linear)
    assert _compiled.weeks_sum(c, k, j) == rem - left


@CLOCK
@given(
    st.sampled_from([contract.business_day, contract.always, contract.berlin_office]),
    st.integers(2400, 3800),
    st.integers(0, 3000),
)
def test_weeks_sum_matches_a_plain_sum(calendar, k0, n):
    c = _compiled.compiled(calendar)
    assert _compiled.weeks_sum(c, k0, k0 + n) == sum(c.week(k)[3] for k in range(k0, k0 + n))
