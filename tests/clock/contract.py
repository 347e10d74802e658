"""The contract's coverage calendars, built directly with ``sladesk.clock`` for the tests.

Policy: /work/shared/policy/mattermost-support-policy.md, "Coverage calendars". The
policy layer builds the same calendars from the policy file; here they are spelled out
so that the clock's tests do not depend on the loader. The benchmark imports this file
by path, so it must not use relative imports.
"""

from __future__ import annotations

from datetime import time

import holidays

from sladesk.clock import Calendar, Window, union

PACIFIC = "America/Los_Angeles"
BERLIN = "Europe/Berlin"
YEARS = range(2024, 2032)

# The 11 US federal holidays on their actual and observed dates (observed=True adds the
# Friday before a Saturday holiday and the Monday after a Sunday one).
US_FEDERAL = frozenset(holidays.US(years=YEARS, observed=True))
DE_NATIONAL = frozenset(holidays.DE(years=YEARS))

business_day = Calendar(
    zone=PACIFIC,
    windows=tuple(Window.at(start_day=d, start=time(9), end_day=d, end=time(17)) for d in range(5)),
    holidays=US_FEDERAL,
    open_on_holidays=False,
    name="business_day",
)
weekday_24x5 = Calendar(
    zone=PACIFIC,
    windows=(Window.at(start_day=0, start=time(0), end_day=5, end=time(0)),),
    open_on_holidays=True,
    name="weekday_24x5",
)
weekend = Calendar(
    zone=PACIFIC,
    windows=(Window.at(start_day=4, start=time(17), end_day=0, end=time(9)),),
    open_on_holidays=True,
    name="weekend",
)
always = union(weekday_24x5, weekend, name="always")

berlin_office = Calendar(
    zone=BERLIN,
    windows=tuple(Window.at(start_day=d, start=time(8), end_day=d, end=time(18)) for d in range(5)),
    holidays=DE_NATIONAL,
    open_on_holidays=False,
    name="berlin_office",
)
