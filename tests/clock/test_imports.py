"""The clock is a library: importing it loads no Django, and its public API is pinned."""

from __future__ import annotations

import json
import subprocess
import sys

import sladesk.clock

PUBLIC_API = [
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


def test_importing_the_clock_loads_no_django():
    code = (
        "import json, sys; import sladesk.clock; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django' "
        "or m.startswith('django'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_clock_imports_only_the_standard_library():
    code = (
        "import json, sys; before = set(sys.modules); import sladesk.clock; "
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # sysconfig's generated data module is stdlib but not listed by name.
    loaded = {m for m in json.loads(out.stdout) if not m.startswith("_sysconfigdata")} - {"sladesk"}
    assert loaded <= set(sys.stdlib_module_names), loaded - set(sys.stdlib_module_names)


def test_public_api_is_pinned():
    assert sorted(sladesk.clock.__all__) == sorted(PUBLIC_API)
    assert len(set(sladesk.clock.__all__)) == len(sladesk.clock.__all__)
    for name in PUBLIC_API:
        assert getattr(sladesk.clock, name) is not None
