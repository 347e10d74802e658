"""``first_response_due``: the contract's target table, instant by instant.

Every expectation is a literal instant worked out by hand from the contract (US Pacific;
daylight time starts Sunday 2026-03-08 02:00 and ends Sunday 2026-11-01 02:00).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sladesk.clock import NaiveDatetimeError
from sladesk.policy import default_policy_path, load_policy
from sladesk.sla import PolicyLookupError, explain_first_response, first_response_due

LA = ZoneInfo("America/Los_Angeles")
POLICY = load_policy(default_policy_path())
BERLIN = load_policy(default_policy_path().parent / "example-berlin.toml")


def pacific(*args):
    return datetime(*args, tzinfo=LA)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# Friday 2026-03-06 16:30 PST: the weekend (and a DST change) lies ahead.
FRIDAY = pacific(2026, 3, 6, 16, 30)
MONDAY_17 = pacific(2026, 3, 9, 17, 0)  # next business day after Friday

TABLE = [
    # plan, level, production, due
    ("premier", "L1", True, pacific(2026, 3, 6, 17, 30)),  # 1 h in always
    ("premier", "L2", True, pacific(2026, 3, 6, 18, 30)),  # 2 h in always
    ("premier", "L3", True, pacific(2026, 3, 9, 0, 30)),  # 7.5 h Fri + 0.5 h Mon (24x5)
    ("premier", "L4", True, pacific(2026, 3, 9, 16, 30)),  # 7.5 h Fri + 16.5 h Mon
    ("enterprise", "L1", True, pacific(2026, 3, 6, 20, 30)),  # 4 h in weekday_24x5
    ("enterprise", "L2", True, pacific(2026, 3, 9, 0, 30)),  # 7.5 h Fri + 0.5 h Mon
    ("enterprise", "L3", True, pacific(2026, 3, 9, 8, 30)),  # 7.5 h Fri + 8.5 h Mon
    ("enterprise", "L4", True, MONDAY_17),  # next business day
    ("professional", "L1", True, MONDAY_17),
    ("professional", "L2", True, MONDAY_17),
    ("professional", "L3", True, MONDAY_17),
    ("professional", "L4", True, MONDAY_17),
    # non-production: every level is L4 first
    *[("premier", level, False, pacific(2026, 3, 9, 16, 30)) for level in ("L1", "L2", "L3", "L4")],
    *[("enterprise", level, False, MONDAY_17) for level in ("L1", "L2", "L3", "L4")],
    *[("professional", level, False, MONDAY_17) for level in ("L1", "L2", "L3", "L4")],
]


@pytest.mark.parametrize(("plan", "level", "production", "due"), TABLE)
def test_contract_table_from_friday_afternoon(plan, level, production, due):
    result = first_response_due(plan, level, FRIDAY, production=production, policy=POLICY)
    assert result == due
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("plan", "level", "opened", "due"),
    [
        # Premier L2 opened Friday 16:30 PST: 18:30 the same day.
        ("premier", "L2", pacific(2026, 3, 6, 16, 30), utc(2026, 3, 7, 2, 30)),
        # Enterprise L1 opened Friday 22:00 PST: 2 h before weekday_24x5 closes at Saturday
        # 00:00, the other 2 h from Monday 00:00 (now PDT): Monday 02:00.
        ("enterprise", "L1", pacific(2026, 3, 6, 22, 0), pacific(2026, 3, 9, 2, 0)),
        # Premier L1 on a Saturday counts in `always`.
        ("premier", "L1", pacific(2026, 3, 7, 10, 0), pacific(2026, 3, 7, 11, 0)),
        # Premier L3 on a Saturday waits for Monday 00:00.
        ("premier", "L3", pacific(2026, 3, 7, 10, 0), pacific(2026, 3, 9, 8, 0)),
        # Through the spring-forward night, `always` counts real time: 01:30 PST + 1 h = 03:30 PDT.
        ("premier", "L1", pacific(2026, 3, 8, 1, 30), pacific(2026, 3, 8, 3, 30)),
        # Fall back: 00:30 PDT + 2 h = 01:30 PST (the second 01:30).
        ("premier", "L2", utc(2026, 11, 1, 7, 30), utc(2026, 11, 1, 9, 30)),
        # Opened exactly at a window's end (Sat 00:00): counting starts Monday 00:00.
        ("premier", "L4", pacific(2026, 3, 7, 0, 0), pacific(2026, 3, 10, 0, 0)),
        # A target running out exactly at a window's end is due at that end (Sat 00:00).
        ("enterprise", "L1", pacific(2026, 3, 6, 20, 0), pacific(2026, 3, 7, 0, 0)),
        # Holidays do not close weekday_24x5: Thanksgiving counts.
        ("enterprise", "L1", pacific(2026, 11, 26, 9, 0), pacific(2026, 11, 26, 13, 0)),
    ],
)
def test_duration_targets(plan, level, opened, due):
    assert first_response_due(plan, level, opened, policy=POLICY) == due


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        # Thursday 2026-07-02: Friday 07-03 is Independence Day observed, so Monday 07-06.
        (pacific(2026, 7, 2, 10, 0), pacific(2026, 7, 6, 17, 0)),
        # Opened on the observed holiday itself.
        (pacific(2026, 7, 3, 10, 0), pacific(2026, 7, 6, 17, 0)),
        # Time of day is ignored: 23:59 Thursday is still "Thursday".
        (pacific(2026, 3, 5, 23, 59), pacific(2026, 3, 6, 17, 0)),
        # The Pacific date counts, not the UTC date: 2026-03-06T07:30Z is Thursday 23:30 PST.
        (utc(2026, 3, 6, 7, 30), pacific(2026, 3, 6, 17, 0)),
        # ... nor the date in the caller's offset: Friday 01:00 in New York is Thursday 22:00 PST.
        (
            datetime(2026, 3, 6, 1, 0, tzinfo=ZoneInfo("America/New_York")),
            pacific(2026, 3, 6, 17, 0),
        ),
        # Thanksgiving (Thu 11-26) closes business_day: Wednesday -> Friday.
        (pacific(2026, 11, 25, 12, 0), pacific(2026, 11, 27, 17, 0)),
        # Christmas 2027 falls on a Saturday, observed Friday 12-24: Thursday -> Monday 12-27.
        (pacific(2027, 12, 23, 12, 0), pacific(2027, 12, 27, 17, 0)),
        # Juneteenth 2027 (Saturday) observed Friday 06-18.
        (pacific(2027, 6, 17, 12, 0), pacific(2027, 6, 21, 17, 0)),
        # A weekend opening: next business day after Saturday is Monday.
        (pacific(2026, 3, 7, 12, 0), pacific(2026, 3, 9, 17, 0)),
    ],
)
def test_next_business_day(opened, due):
    assert first_response_due("professional", "L1", opened, policy=POLICY) == due
    assert first_response_due("enterprise", "L4", opened, policy=POLICY) == due


def test_any_offset_gives_the_same_instant():
    same = [FRIDAY, FRIDAY.astimezone(UTC), FRIDAY.astimezone(ZoneInfo("Asia/Tokyo"))]
    assert len({first_response_due("enterprise", "L3", t, policy=POLICY) for t in same}) == 1


def test_uses_the_policy_in_force_by_default(settings):
    settings.SLADESK_POLICY = None
    assert first_response_due("premier", "L2", FRIDAY) == pacific(2026, 3, 6, 18, 30)


def test_another_vendor_needs_no_code_change():
    berlin = ZoneInfo("Europe/Berlin")
    # Wednesday 17:30: 30 min of office hours, then Christmas Eve (extra date), Christmas
    # and the weekend are closed; Monday opens 08:00, so 1h30m runs out at 09:00.
    opened = datetime(2026, 12, 23, 17, 30, tzinfo=berlin)
    assert first_response_due("plus", "P3", opened, policy=BERLIN) == datetime(
        2026, 12, 28, 9, 0, tzinfo=berlin
    )
    assert first_response_due("basic", "P2", opened, policy=BERLIN) == datetime(
        2026, 12, 28, 12, 0, tzinfo=berlin
    )
    # non-production is P3 in this policy
    assert first_response_due("plus", "P1", opened, production=False, policy=BERLIN) == datetime(
        2026, 12, 28, 9, 0, tzinfo=berlin
    )


class TestRefusals:
    def test_naive_datetime(self):
        with pytest.raises(NaiveDatetimeError, match="has no UTC offset"):
            first_response_due("premier", "L1", datetime(2026, 3, 6, 16, 30), policy=POLICY)

    def test_unknown_plan_lists_the_known_ones(self):
        with pytest.raises(PolicyLookupError) as info:
            first_response_due("gold", "L1", FRIDAY, policy=POLICY)
        assert str(info.value) == (
            f"unknown plan 'gold' (known: premier, enterprise, professional) "
            f"in policy mattermost {POLICY.version}"
        )
        assert isinstance(info.value, LookupError)
        assert isinstance(info.value, ValueError)

    @pytest.mark.parametrize("production", [True, False])
    def test_unknown_level_lists_the_known_ones(self, production):
        with pytest.raises(PolicyLookupError) as info:
            first_response_due("premier", "L0", FRIDAY, production=production, policy=POLICY)
        assert str(info.value) == (
            f"unknown severity 'L0' (known: L1, L2, L3, L4) in policy mattermost {POLICY.version}"
        )

    def test_another_policys_levels_are_unknown_here(self):
        with pytest.raises(PolicyLookupError, match="unknown severity 'P1'"):
            first_response_due("premier", "P1", FRIDAY, policy=POLICY)


class TestExplain:
    def test_non_production(self):
        e = explain_first_response("premier", "L1", FRIDAY, production=False, policy=POLICY)
        assert (e.plan, e.requested_severity, e.severity) == ("premier", "L1", "L4")
        assert e.reason == "requested L1; non-production tickets are L4"
        assert e.target_description == "24 h in weekday_24x5"
        assert e.calendar == "weekday_24x5"
        assert e.zone == "America/Los_Angeles"
        assert e.opened_at == utc(2026, 3, 7, 0, 30)
        assert e.due == pacific(2026, 3, 9, 16, 30)
        assert e.counted == (
            (utc(2026, 3, 7, 0, 30), utc(2026, 3, 7, 8, 0)),
            (utc(2026, 3, 9, 7, 0), utc(2026, 3, 9, 23, 30)),
        )
        assert e.open_time == timedelta(hours=24)

    def test_as_requested(self):
        e = explain_first_response("premier", "L2", FRIDAY, policy=POLICY)
        assert e.severity == "L2"
        assert e.reason == "as requested"
        assert e.counted == ((utc(2026, 3, 7, 0, 30), utc(2026, 3, 7, 2, 30)),)
        assert e.local(e.due) == pacific(2026, 3, 6, 18, 30)

    def test_is_frozen(self):
        e = explain_first_response("premier", "L2", FRIDAY, policy=POLICY)
        with pytest.raises(AttributeError):
            e.due = FRIDAY


def test_works_in_a_plain_python_process_without_django():
    code = (
        "import sys\n"
        "from datetime import datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "from sladesk.sla import first_response_due\n"
        "t = datetime(2026, 3, 6, 16, 30, tzinfo=ZoneInfo('America/Los_Angeles'))\n"
        "print(first_response_due('premier', 'L2', t).isoformat())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SLADESK_POLICY"}
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["2026-03-07T02:30:00+00:00", "[]"]
