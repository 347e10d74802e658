"""Benchmark the SLA clock: flat cost, other libraries, and first_response_due.

Usage (from the repository root)::

    .venv/bin/python benchmarks/sla_clock.py           # full run, a few minutes
    .venv/bin/python benchmarks/sla_clock.py --quick   # smaller samples, under a minute

Sections:

(a) microseconds per ``sladesk.clock.add`` for 1 h, 100 h and 10,000 h on business_day,
    weekday_24x5 and always: the cost must not grow with the duration;
(b) on business_day (Mon-Fri 09:00-17:00 Pacific, US federal holidays observed), on the
    same inputs: sladesk vs businesstimedelta vs pandas CustomBusinessHour, with
    agreement rates against sladesk and against the brute-force reference
    (tests/clock/reference.py), and each kind of disagreement counted;
(c) ``sladesk.sla.first_response_due`` over 100,000 mixed cases (skipped with a note if
    the policy layer is not importable).

Timings are timeit-style: each repeat runs the whole input list once and yields
microseconds per call; the median over repeats is reported (min in brackets). Caches
are warm (one untimed pass first) unless a column says "cold".
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import random
import statistics
import sys
import time as _time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from sladesk import clock
from sladesk.clock import _compiled

REPO = Path(__file__).resolve().parents[1]
PACIFIC = ZoneInfo("America/Los_Angeles")
H = timedelta(hours=1)
LOW, HIGH = datetime(2025, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)


def _load(name: str, relative: str) -> ModuleType:
    """Import a test-suite module by path (tests/ is not an installed package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


contract = _load("sladesk_bench_contract", "tests/clock/contract.py")
reference = _load("sladesk_bench_reference", "tests/clock/reference.py")


def timed(call: Callable[[], object], repeats: int, n: int) -> tuple[float, float]:
    """Return (median, min) microseconds per item over ``repeats`` runs of ``call``."""
    call()  # warm
    samples = []
    for _ in range(repeats):
        t0 = _time.perf_counter()
        call()
        samples.append((_time.perf_counter() - t0) / n * 1e6)
    return statistics.median(samples), min(samples)


def random_instants(rng: random.Random, n: int) -> list[datetime]:
    span = int((HIGH - LOW).total_seconds())
    return [
        LOW + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(10**6))
        for _ in range(n)
    ]


def clear_clock_caches() -> None:
    _compiled._by_id.clear()
    _compiled._by_value.clear()


# --- (a) flat cost ----------------------------------------------------------------------


def section_a(n: int, repeats: int) -> dict[str, dict[int, float]]:
    print(f"\n(a) sladesk.clock.add, µs per call: {n} random starts 2025-2030, {repeats} repeats")
    print(
        f"{'calendar':<14}{'1 h':>16}{'100 h':>16}{'10,000 h':>16}{'10,000 h / 1 h':>16}   cold first pass (1 h / 10,000 h)"
    )
    rng = random.Random(20260101)
    starts = random_instants(rng, n)
    medians: dict[str, dict[int, float]] = {}
    for name in ("business_day", "weekday_24x5", "always"):
        cal = getattr(contract, name)
        row: dict[int, float] = {}
        cells = []
        colds = []
        for hours in (1, 100, 10_000):
            d = hours * H
            add = clock.add
            if hours in (1, 10_000):
                clear_clock_caches()
                t0 = _time.perf_counter()
                for s in starts:
                    add(cal, s, d)
                colds.append((_time.perf_counter() - t0) / n * 1e6)

            def run(cal: Any = cal, d: timedelta = d, add: Any = add) -> None:
                for s in starts:
                    add(cal, s, d)

            med, best = timed(run, repeats, n)
            row[hours] = med
            cells.append(f"{med:6.2f} [{best:5.2f}]")
        medians[name] = row
        ratio = row[10_000] / row[1]
        print(
            f"{name:<14}{cells[0]:>16}{cells[1]:>16}{cells[2]:>16}{ratio:>15.2f}x"
            f"   {colds[0]:.1f} / {colds[1]:.1f} µs"
        )
    return medians


# --- (b) business-day additions: sladesk vs businesstimedelta vs pandas ---------------------


def business_cases(rng: random.Random, n: int) -> list[tuple[datetime, int]]:
    """Starts 2025-2030: anywhere (half on whole hours), exactly 09:00 or 17:00 Pacific,
    or around the DST weekends; durations 1-40 whole hours (pandas takes whole hours)."""
    transitions = [
        datetime(2025, 3, 9, 10, tzinfo=UTC), datetime(2025, 11, 2, 9, tzinfo=UTC),
        datetime(2026, 3, 8, 10, tzinfo=UTC), datetime(2026, 11, 1, 9, tzinfo=UTC),
        datetime(2027, 3, 14, 10, tzinfo=UTC), datetime(2027, 11, 7, 9, tzinfo=UTC),
        datetime(2028, 3, 12, 10, tzinfo=UTC), datetime(2028, 11, 5, 9, tzinfo=UTC),
        datetime(2029, 3, 11, 10, tzinfo=UTC), datetime(2029, 11, 4, 9, tzinfo=UTC),
        datetime(2030, 3, 10, 10, tzinfo=UTC), datetime(2030, 11, 3, 9, tzinfo=UTC),
    ]  # fmt: skip
    cases = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.6:
            s = random_instants(rng, 1)[0]
            if rng.random() < 0.5:
                s = s.replace(minute=0, second=0, microsecond=0)
        elif kind < 0.9:
            day = (LOW + timedelta(days=rng.randrange(6 * 365))).date()
            hour = 9 if kind < 0.75 else 17
            s = datetime.combine(day, time(hour), PACIFIC).astimezone(UTC)
        else:
            s = rng.choice(transitions) + timedelta(minutes=rng.randrange(-3 * 1440, 2 * 1440))
        cases.append((s, rng.randrange(1, 41)))
    return cases


def make_businesstimedelta() -> Callable[[datetime, int], datetime] | None:
    try:
        import businesstimedelta
        import pytz
    except ImportError:
        return None
    tz = pytz.timezone("America/Los_Angeles")
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=time(9), end_time=time(17), working_days=[0, 1, 2, 3, 4], tz=tz
            ),
            businesstimedelta.HolidayRule(contract.US_FEDERAL, tz=tz),
        ]
    )
    deltas = {h: businesstimedelta.BusinessTimeDelta(rules, hours=h) for h in range(1, 41)}

    def add(start: datetime, hours: int) -> datetime:
        return start + deltas[hours]  # type: ignore[no-any-return]

    return add


def make_pandas() -> Callable[[datetime, int], datetime] | None:
    try:
        import pandas as pd
    except ImportError:
        return None
    warnings.simplefilter("ignore")
    holidays = sorted(contract.US_FEDERAL)
    offsets = {
        h: pd.offsets.CustomBusinessHour(n=h, start="09:00", end="17:00", holidays=holidays)
        for h in range(1, 41)
    }
    timestamp = pd.Timestamp

    def add(start: datetime, hours: int) -> datetime:
        # CustomBusinessHour works on naive wall times: convert to Pacific wall time,
        # add, and read the result back as Pacific (first occurrence if repeated).
        local = timestamp(start.astimezone(PACIFIC).replace(tzinfo=None)) + offsets[hours]
        return local.to_pydatetime().replace(tzinfo=PACIFIC)  # type: ignore[no-any-return]

    return add


def classify(start: datetime, hours: int, got: datetime, expected: datetime) -> str:
    """Name the semantics a disagreeing result follows (``expected`` is sladesk's, which
    the reference confirms)."""
    cal = contract.business_day
    if expected.astimezone(PACIFIC).time() == time(17) and got == clock.next_open(cal, expected):
        return "exactly-at-end boundary: due at the next opening instead of at 17:00"
    no_holidays = clock.Calendar(zone=cal.zone, windows=cal.windows, name="no_holidays")
    if got == clock.add(no_holidays, start, hours * H):
        return "holidays: result as if there were none"
    crosses_dst = start.astimezone(PACIFIC).utcoffset() != expected.astimezone(PACIFIC).utcoffset()
    if crosses_dst and abs(got - expected) == H:
        return "DST: off by the hour the clocks changed"
    if not clock.is_open(cal, start):
        return "start outside hours"
    return "other"


def section_b(n: int, repeats: int, ref_n: int) -> dict[str, float]:
    print(f"\n(b) business_day additions on the same {n} inputs (starts 2025-2030, 1-40 h)")
    rng = random.Random(42)
    cases = business_cases(rng, n)
    cal = contract.business_day
    add = clock.add

    def sladesk_add(start: datetime, hours: int) -> datetime:
        return add(cal, start, hours * H)

    libs: dict[str, Callable[[datetime, int], datetime]] = {"sladesk": sladesk_add}
    for name, maker in (("businesstimedelta", make_businesstimedelta), ("pandas CBH", make_pandas)):
        made = maker()
        if made is None:
            print(f"   {name}: not installed, skipped (pip install -e '.[bench]')")
        else:
            libs[name] = made

    durations_h = {h: h * H for h in range(1, 41)}

    def run_sladesk() -> None:
        for s, h in cases:
            add(cal, s, durations_h[h])

    timings: dict[str, tuple[float, float]] = {"sladesk": timed(run_sladesk, repeats, n)}
    results: dict[str, list[datetime]] = {"sladesk": [sladesk_add(s, h) for s, h in cases]}
    for name, fn in libs.items():
        if name == "sladesk":
            continue

        def run(fn: Callable[[datetime, int], datetime] = fn) -> None:
            for s, h in cases:
                fn(s, h)

        timings[name] = timed(run, max(1, repeats // 5), n)
        results[name] = [fn(s, h) for s, h in cases]

    # The brute-force reference, minute by minute, on the first ref_n cases.
    t0 = _time.perf_counter()
    ref = [reference.add(cal, s, h * H) for s, h in cases[:ref_n]]
    ref_seconds = _time.perf_counter() - t0

    base = timings["sladesk"][0]
    print(
        f"{'library':<20}{'µs per addition':>18}{'vs sladesk':>12}{'= sladesk':>12}{'= reference':>14}"
    )
    for name in libs:
        med, best = timings[name]
        same = sum(a == b for a, b in zip(results[name], results["sladesk"], strict=True))
        same_ref = sum(a == b for a, b in zip(results[name][:ref_n], ref, strict=True))
        print(
            f"{name:<20}{med:>10.2f} [{best:5.2f}]{med / base:>11.1f}x"
            f"{100 * same / n:>11.2f}%{100 * same_ref / ref_n:>13.2f}%"
        )
    print(f"   reference: {ref_n} cases walked minute by minute in {ref_seconds:.1f} s")

    for name in libs:
        if name == "sladesk":
            continue
        kinds: Counter[str] = Counter()
        for (s, h), got, want in zip(cases, results[name], results["sladesk"], strict=True):
            if got != want:
                kinds[classify(s, h, got, want)] += 1
        total = sum(kinds.values())
        print(f"   {name} disagreements with sladesk: {total} of {n}")
        for kind, count in kinds.most_common():
            print(f"      {count:6d}  {kind}")
    out = {name: timings[name][0] for name in libs}
    out["sladesk_ref_agreement"] = (
        100 * sum(a == b for a, b in zip(results["sladesk"][:ref_n], ref, strict=True)) / ref_n
    )
    return out


# --- (c) HOOK: first_response_due over 100,000 mixed cases -----------------------------------


def contract_due(plan: str, level: str, opened: datetime, *, production: bool) -> datetime:
    """The contract's first-response table, computed with the brute-force reference."""
    if not production:
        level = "L4"  # policy, "Severity levels": non-production is L4
    table: dict[str, dict[str, tuple[str, int] | None]] = {
        "premier": {"L1": ("always", 1), "L2": ("always", 2), "L3": ("weekday_24x5", 8), "L4": ("weekday_24x5", 24)},
        "enterprise": {"L1": ("weekday_24x5", 4), "L2": ("weekday_24x5", 8), "L3": ("weekday_24x5", 16), "L4": None},
        "professional": {"L1": None, "L2": None, "L3": None, "L4": None},
    }  # fmt: skip
    target = table[plan][level]
    if target is None:
        return reference.next_business_day(  # type: ignore[no-any-return]
            contract.business_day, opened, at=time(17), zone="America/Los_Angeles"
        )
    name, hours = target
    return reference.add(getattr(contract, name), opened, hours * H)  # type: ignore[no-any-return]


def section_c(n: int, repeats: int, ref_n: int) -> float | None:
    """HOOK for the policy layer: times ``sladesk.sla.first_response_due``."""
    print(f"\n(c) sladesk.sla.first_response_due over {n} mixed cases")
    try:
        from sladesk.sla import first_response_due
    except ImportError as exc:
        print(f"   skipped: sladesk.sla is not importable yet ({exc})")
        return None
    rng = random.Random(7)
    plans = ("premier", "enterprise", "professional")
    levels = ("L1", "L2", "L3", "L4")
    cases = [
        (rng.choice(plans), rng.choice(levels), s, rng.random() < 0.8)
        for s in random_instants(rng, n)
    ]

    def run() -> None:
        for plan, level, opened, production in cases:
            first_response_due(plan, level, opened, production=production)

    med, best = timed(run, repeats, n)
    print(f"   {med:.2f} µs per call median [{best:.2f} min] (policy lookup + clock)")
    agree = 0
    mismatches: list[tuple[object, ...]] = []
    for plan, level, opened, production in cases[:ref_n]:
        got = first_response_due(plan, level, opened, production=production)
        want = contract_due(plan, level, opened, production=production)
        if got == want:
            agree += 1
        elif len(mismatches) < 5:
            mismatches.append((plan, level, opened, production, got, want))
    print(f"   agreement with the contract table via the reference: {agree}/{ref_n}")
    for m in mismatches:
        print(f"      differs: {m}")
    return med


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples")
    args = parser.parse_args(argv)
    quick = args.quick
    print(f"sladesk clock benchmark{' (quick)' if quick else ''}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), {platform.machine()}"
    )

    a = section_a(n=500 if quick else 2000, repeats=5 if quick else 15)
    b = section_b(
        n=400 if quick else 2000, repeats=5 if quick else 10, ref_n=200 if quick else 2000
    )
    c = section_c(
        n=20_000 if quick else 100_000, repeats=3 if quick else 7, ref_n=300 if quick else 2000
    )

    print("\nTargets")
    typical = a["business_day"][1], a["weekday_24x5"][1], a["always"][1]
    print(f"   add() typical ≤ ~3 µs: {max(typical):.2f} µs (worst of the three calendars at 1 h)")
    for name, row in a.items():
        print(f"   flat cost {name}: 10,000 h / 1 h = {row[10_000] / row[1]:.2f}x (≤ 2-3x)")
    if "businesstimedelta" in b:
        print(
            f"   ≥ 25x faster than businesstimedelta: {b['businesstimedelta'] / b['sladesk']:.0f}x"
        )
    if "pandas CBH" in b:
        print(
            f"   ≥ 8x faster than pandas CustomBusinessHour: {b['pandas CBH'] / b['sladesk']:.0f}x"
        )
    print(f"   100 % agreement with the brute-force reference: {b['sladesk_ref_agreement']:.2f} %")
    if c is not None:
        print(f"   first_response_due median ≤ 10 µs: {c:.2f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
