"""Compiled calendars: open intervals as epoch microseconds, per UTC week, with prefix sums.

A calendar is compiled once (cached on the calendar object) into three lazily filled,
bounded LRU tables:

* ``week(k)``: the open intervals of UTC week ``k`` (Monday 00:00Z .. next Monday 00:00Z,
  counted from Monday 1969-12-29), half-open ``[start, end)``, sorted, merged, clipped to
  the week, with cumulative open time at each interval's end;
* ``block(b)``: prefix sums of the open time of the 64 weeks of block ``b``;
* ``group(g)``: prefix sums of the open time of the 16 blocks (1,024 weeks, about 19.6
  years) of group ``g``.

``seek`` and ``weeks_sum`` use the coarser tables to jump over long spans with ``bisect``,
so the cost of an addition does not grow with the duration once the tables are warm.

Every calendar, whatever its zone, is compiled onto the same UTC week grid, which makes
unions and intersections across zones a plain merge or intersection of sorted intervals.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from zoneinfo import ZoneInfo

from sladesk.clock._instants import DAY, US, wall_seconds, wall_to_utc
from sladesk.clock.calendar import (
    WEEK_SECONDS,
    AnyCalendar,
    Calendar,
    Intersection,
    Union,
)
from sladesk.clock.errors import CalendarError, ClockError

# Monday 1969-12-29 00:00: the origin of both the UTC week grid and the local week grid.
ORIGIN = -3 * DAY
ORIGIN_US = ORIGIN * US
WEEK_US = WEEK_SECONDS * US
BLOCK = 64  # weeks per block
GROUP = 16  # blocks per group (1,024 weeks)
SHORT_WALK = 2  # weeks stepped one by one before using the block tables

WEEK_CACHE = 2048  # about 39 years of weeks per calendar
BLOCK_CACHE = 256
GROUP_CACHE = 64

# (starts, ends, cumulative open time at each end, total open time), all epoch microseconds.
Week = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], int]
Spans = tuple[tuple[int, int], ...]
EMPTY_WEEK: Week = ((), (), (), 0)


def week_of(us: int) -> int:
    """Return the index of the UTC week containing the instant ``us``."""
    return (us - ORIGIN_US) // WEEK_US


def _make_week(spans: Iterable[tuple[int, int]]) -> Week:
    starts: list[int] = []
    ends: list[int] = []
    cum: list[int] = []
    total = 0
    for s, e in spans:
        total += e - s
        starts.append(s)
        ends.append(e)
        cum.append(total)
    if not starts:
        return EMPTY_WEEK
    return (tuple(starts), tuple(ends), tuple(cum), total)


def _merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching half-open spans (input sorted by start)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _subtract(spans: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]) -> Spans:
    """Return sorted disjoint ``spans`` minus the union of ``holes``."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        pieces = [(s, e)]
        for hs, he in holes:
            nxt: list[tuple[int, int]] = []
            for ps, pe in pieces:
                if he <= ps or hs >= pe:
                    nxt.append((ps, pe))
                    continue
                if ps < hs:
                    nxt.append((ps, hs))
                if he < pe:
                    nxt.append((he, pe))
            pieces = nxt
        out.extend(pieces)
    return tuple(out)


def _intersect(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def spans_of(week: Week) -> list[tuple[int, int]]:
    """Return a compiled week's intervals as ``(start, end)`` pairs."""
    return list(zip(week[0], week[1], strict=True))


class Compiled:
    """The lazily built, bounded tables of one calendar (see the module docstring)."""

    week: Callable[[int], Week]
    block: Callable[[int], tuple[int, ...]]
    group: Callable[[int], tuple[int, ...]]

    def __init__(self) -> None:
        self.week = lru_cache(maxsize=WEEK_CACHE)(self._week)
        self.block = lru_cache(maxsize=BLOCK_CACHE)(self._block)
        self.group = lru_cache(maxsize=GROUP_CACHE)(self._group)

    def _week(self, k: int) -> Week:
        raise NotImplementedError

    def _block(self, b: int) -> tuple[int, ...]:
        week = self.week
        acc = 0
        prefix = [0]
        for k in range(b * BLOCK, (b + 1) * BLOCK):
            acc += week(k)[3]
            prefix.append(acc)
        return tuple(prefix)

    def _group(self, g: int) -> tuple[int, ...]:
        block = self.block
        acc = 0
        prefix = [0]
        for b in range(g * GROUP, (g + 1) * GROUP):
            acc += block(b)[BLOCK]
            prefix.append(acc)
        return tuple(prefix)


class LeafCompiled(Compiled):
    """A single-zone calendar: weekly wall-time windows minus closed holiday dates."""

    def __init__(self, calendar: Calendar) -> None:
        super().__init__()
        self.zone = ZoneInfo(calendar.zone)
        pieces: list[tuple[int, int]] = []
        for w in calendar.windows:
            if w.wraps:
                pieces.append((w.start, WEEK_SECONDS))
                if w.end:
                    pieces.append((0, w.end))
            else:
                pieces.append((w.start, w.end))
        self.template: Spans = tuple(_merge(sorted(pieces)))
        # Holidays close the whole local date [00:00, next 00:00) (policy: "Boundary semantics").
        closed: dict[int, list[tuple[int, int]]] = {}
        if not calendar.open_on_holidays:
            for day in calendar.holidays:
                week, rel = divmod(wall_seconds(day) - ORIGIN, WEEK_SECONDS)
                closed.setdefault(week, []).append((rel, rel + DAY))
        self.closed = {w: tuple(sorted(v)) for w, v in closed.items()}
        self.local_week: Callable[[int], Spans] = lru_cache(maxsize=256)(self._local_week)

    def _local_week(self, w: int) -> Spans:
        """Return local week ``w``'s open spans as epoch seconds (wall Monday to Monday)."""
        base = ORIGIN + w * WEEK_SECONDS
        pieces = self.template
        holes = self.closed.get(w)
        if holes:
            pieces = _subtract(pieces, holes)
        zone = self.zone
        out: list[tuple[int, int]] = []
        for s, e in pieces:
            us, ue = wall_to_utc(zone, base + s), wall_to_utc(zone, base + e)
            if us < ue:  # a window wholly inside a DST gap vanishes
                out.append((us, ue))
        return tuple(out)

    def _week(self, k: int) -> Week:
        lo = ORIGIN + k * WEEK_SECONDS
        hi = lo + WEEK_SECONDS
        spans: list[tuple[int, int]] = []
        # Zone offsets are far below a week, so only the neighbouring local weeks overlap.
        for w in (k - 1, k, k + 1):
            for s, e in self.local_week(w):
                s, e = max(s, lo), min(e, hi)
                if s < e:
                    spans.append((s, e))
        return _make_week((s * US, e * US) for s, e in _merge(spans))


class UnionCompiled(Compiled):
    """Open whenever any part is open."""

    def __init__(self, parts: tuple[Compiled, ...]) -> None:
        super().__init__()
        self.parts = parts

    def _week(self, k: int) -> Week:
        spans: list[tuple[int, int]] = []
        for part in self.parts:
            spans.extend(spans_of(part.week(k)))
        spans.sort()
        return _make_week(_merge(spans))


class IntersectionCompiled(Compiled):
    """Open only when every part is open."""

    def __init__(self, parts: tuple[Compiled, ...]) -> None:
        super().__init__()
        self.parts = parts

    def _week(self, k: int) -> Week:
        spans = spans_of(self.parts[0].week(k))
        for part in self.parts[1:]:
            if not spans:
                break
            spans = _intersect(spans, spans_of(part.week(k)))
        return _make_week(spans)


# Compiled calendars, looked up by identity first (cheap), then by value (hashing a
# calendar walks its windows and holidays). Both are bounded.
_REGISTRY_SIZE = 256
_by_id: dict[int, tuple[AnyCalendar, Compiled]] = {}
_by_value: dict[AnyCalendar, Compiled] = {}


def compiled(calendar: AnyCalendar) -> Compiled:
    """Return the compiled tables for ``calendar``, building them on first use."""
    hit = _by_id.get(id(calendar))
    if hit is not None and hit[0] is calendar:
        return hit[1]
    return _register(calendar)


def _register(calendar: AnyCalendar) -> Compiled:
    try:
        found = _by_value.get(calendar)
    except TypeError:
        raise CalendarError(f"not a calendar: {calendar!r}") from None
    if found is None:
        found = _build(calendar)
        if len(_by_value) >= _REGISTRY_SIZE:
            del _by_value[next(iter(_by_value))]
        _by_value[calendar] = found
    if len(_by_id) >= _REGISTRY_SIZE:
        del _by_id[next(iter(_by_id))]
    _by_id[id(calendar)] = (calendar, found)
    return found


def _build(calendar: AnyCalendar) -> Compiled:
    if isinstance(calendar, Calendar):
        return LeafCompiled(calendar)
    if isinstance(calendar, Union):
        return UnionCompiled(tuple(compiled(p) for p in calendar.parts))
    if isinstance(calendar, Intersection):
        return IntersectionCompiled(tuple(compiled(p) for p in calendar.parts))
    raise CalendarError(f"not a calendar: {calendar!r}")


def seek(c: Compiled, k: int, rem: int, *, walk: bool = True) -> tuple[int, int]:
    """Return ``(j, r)``: the week ``j >= k`` in which ``rem`` µs of open time counted from
    the start of week ``k`` run out, and the open time ``0 < r <= total(j)`` left in it.

    With ``walk``, steps a couple of weeks first (cheap when ``rem`` is short); then
    bisects the block prefix sums (64 weeks), tries the next block, and past that
    bisects group prefix sums (1,024 weeks), so the cost is bounded whatever ``rem`` is
    (``rem`` must be positive).
    """
    if walk:
        week = c.week
        for _ in range(SHORT_WALK):
            total = week(k)[3]
            if rem <= total:
                return k, rem
            rem -= total
            k += 1
    b, i = divmod(k, BLOCK)
    prefix = c.block(b)
    target = prefix[i] + rem
    if target > prefix[BLOCK]:
        # The next block, before building a whole group for a medium duration.
        rem = target - prefix[BLOCK]
        b += 1
        prefix = c.block(b)
        if rem > prefix[BLOCK]:
            rem -= prefix[BLOCK]
            g, j = divmod(b + 1, GROUP)
            gprefix = c.group(g)
            target = gprefix[j] + rem
            while target > gprefix[GROUP]:
                if j == 0 and gprefix[GROUP] == 0:
                    raise ClockError("the calendar has no open time in 19 years; is it ever open?")
                target -= gprefix[GROUP]  # now counted from the start of the next group
                g += 1
                j = 0
                gprefix = c.group(g)
            m = bisect_left(gprefix, target, j + 1)
            b = g * GROUP + m - 1
            rem = target - gprefix[m - 1]
            prefix = c.block(b)
        target = rem
        i = 0
    m = bisect_left(prefix, target, i + 1)
    return b * BLOCK + m - 1, target - prefix[m - 1]


def next_open_us(c: Compiled, t: int) -> int:
    """Return ``t`` if open, else the start of the first open interval after it."""
    k = week_of(t)
    starts, ends, _, _ = c.week(k)
    i = bisect_right(ends, t)  # first interval ending after t
    if i < len(ends):
        return t if starts[i] <= t else starts[i]
    k, _ = seek(c, k + 1, 1)
    return c.week(k)[0][0]


def weeks_sum(c: Compiled, k0: int, k1: int) -> int:
    """Return the open time of the whole weeks ``[k0, k1)``."""
    if k1 - k0 <= SHORT_WALK + 1:
        week = c.week
        return sum(week(k)[3] for k in range(k0, k1))
    b0, i0 = divmod(k0, BLOCK)
    b1, i1 = divmod(k1, BLOCK)
    if b0 == b1:
        prefix = c.block(b0)
        return prefix[i1] - prefix[i0]
    first = c.block(b0)
    total = first[BLOCK] - first[i0]
    if i1:
        total += c.block(b1)[i1]
    return total + _blocks_sum(c, b0 + 1, b1)


def _blocks_sum(c: Compiled, b0: int, b1: int) -> int:
    if b0 >= b1:
        return 0
    g0, j0 = divmod(b0, GROUP)
    g1, j1 = divmod(b1, GROUP)
    if g0 == g1:
        block = c.block
        return sum(block(b)[BLOCK] for b in range(b0, b1))
    first = c.group(g0)
    total = first[GROUP] - first[j0]
    if j1:
        total += c.group(g1)[j1]
    group = c.group
    return total + sum(group(g)[GROUP] for g in range(g0 + 1, g1))
