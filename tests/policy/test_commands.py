"""``sladesk policy check|show`` and ``sladesk sla due``: output, exit codes and stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from sladesk.policy import default_policy_path, load_policy

SLADESK = Path(sys.executable).with_name("sladesk")
DEFAULT = default_policy_path()
BERLIN = DEFAULT.parent / "example-berlin.toml"
VERSION = load_policy(DEFAULT).version


def call(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def call_failing(*args):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=out, stderr=err)
    return str(info.value), err.getvalue()


@pytest.fixture
def bad_policy(tmp_path):
    path = tmp_path / "bad.toml"
    text = DEFAULT.read_text(encoding="utf-8")
    path.write_text(
        text.replace('calendar = "always" }', 'calendar = "alwyas" }', 1).replace(
            "named_contact_limit = 3", "named_contact_limit = -3"
        ),
        encoding="utf-8",
    )
    return path


def run_sladesk(*args, tmp_path, env=None):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "SLADESK_POLICY", "PYTEST_CURRENT_TEST"}
    }
    base.update(
        {"SLADESK_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    )
    base.update(env or {})
    return subprocess.run(
        [str(SLADESK), *args], capture_output=True, text=True, env=base, timeout=120, check=False
    )


class TestPolicyCheck:
    def test_valid_file(self):
        out, err = call("policy", "check", str(DEFAULT))
        assert out == (
            f"{DEFAULT}: valid (version {VERSION}, 3 plans, 4 calendars, 4 severities, "
            "9 exclusions)\n"
        )
        assert err == ""

    def test_invalid_file_lists_each_problem_on_stderr(self, bad_policy):
        message, err = call_failing("policy", "check", str(bad_policy))
        assert err.splitlines() == [
            f"{bad_policy}: plans.premier.entitlements.named_contact_limit: expected a whole "
            'number >= 0 or "unlimited", got integer -3',
            f"{bad_policy}: plans.premier.first_response.L1.calendar: unknown calendar 'alwyas' "
            "(did you mean 'always'?)",
        ]
        assert message == f"{bad_policy}: invalid (2 problems)"

    def test_subprocess_exit_codes(self, bad_policy, tmp_path):
        ok = run_sladesk("policy", "check", str(DEFAULT), tmp_path=tmp_path)
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.startswith(f"{DEFAULT}: valid (version {VERSION}, 3 plans")
        bad = run_sladesk("policy", "check", str(bad_policy), tmp_path=tmp_path)
        assert bad.returncode == 1
        lines = bad.stderr.splitlines()
        assert lines[0].startswith(f"{bad_policy}: plans.premier.entitlements.named_contact_limit:")
        assert lines[1].startswith(f"{bad_policy}: plans.premier.first_response.L1.calendar:")
        assert len(lines) == 3  # the two problems, then the summary
        assert bad.stdout == ""

    def test_check_works_even_when_the_policy_in_force_is_broken(self, bad_policy, tmp_path):
        result = run_sladesk(
            "policy",
            "check",
            str(BERLIN),
            tmp_path=tmp_path,
            env={"SLADESK_POLICY": str(bad_policy)},
        )
        assert result.returncode == 0, result.stderr

    def test_without_a_file_it_checks_the_policy_in_force(self, bad_policy, settings):
        out, _ = call("policy", "check")
        assert out.startswith(f"{DEFAULT}: valid (version {VERSION}")
        settings.SLADESK_POLICY = str(bad_policy)
        message, err = call_failing("policy", "check")
        assert message == f"{bad_policy}: invalid (2 problems)"
        assert "unknown calendar 'alwyas'" in err

    def test_help_explains_the_subcommands(self, tmp_path):
        result = run_sladesk("policy", "--help", tmp_path=tmp_path)
        assert result.returncode == 0
        assert "sladesk policy check [FILE]" in result.stdout
        assert "sladesk policy show [--policy FILE] [--json]" in result.stdout


class TestPolicyShow:
    def test_target_table_matches_the_contract(self):
        out, _ = call("policy", "show")
        lines = out.splitlines()
        start = lines.index("First-response targets")
        assert lines[start + 1 : start + 5] == [
            "  plan          L1                       L2                       L3                       L4",
            "  premier       1 h in always            2 h in always            8 h in weekday_24x5      24 h in weekday_24x5",
            "  enterprise    4 h in weekday_24x5      8 h in weekday_24x5      16 h in weekday_24x5     next business day 17:00",
            "  professional  next business day 17:00  next business day 17:00  next business day 17:00  next business day 17:00",
        ]

    def test_shows_plans_calendars_holidays_and_severities(self):
        out, _ = call("policy", "show")
        assert "premier: Premier Support" in out
        assert "named contacts               required, limit 3" in out
        assert "non-production environments  4" in out
        assert "weekend coverage             L1, L2" in out
        assert (
            "business_day (Business day): Mon-Fri 09:00-17:00 America/Los_Angeles, "
            "closed on us_federal holidays"
        ) in out
        assert (
            "weekend (Weekend): Fri 17:00 - Mon 09:00 America/Los_Angeles, open on holidays" in out
        )
        assert "union of: weekday_24x5, weekend" in out
        assert (
            "2026: Thu 01 Jan, Mon 19 Jan, Mon 16 Feb, Mon 25 May, Fri 19 Jun, Fri 03 Jul, "
            "Mon 07 Sep, Mon 12 Oct, Wed 11 Nov, Thu 26 Nov, Fri 25 Dec"
        ) in out
        assert "  L1  Urgent business impact" in out
        assert "non-production tickets: L4 (an agent may override it with a reason)" in out
        assert "instead: https://forum.mattermost.com/" in out

    def test_policy_option_and_the_setting(self):
        out, _ = call("policy", "show", "--policy", str(BERLIN))
        assert out.startswith("Example GmbH support terms (example-berlin)")
        with override_settings(SLADESK_POLICY=str(BERLIN)):
            out, _ = call("policy", "show")
        assert out.startswith("Example GmbH support terms (example-berlin)")

    def test_json(self):
        out, _ = call("policy", "show", "--json")
        data = json.loads(out)
        assert data["version"] == VERSION
        assert data["plans"]["premier"]["first_response"]["L1"] == {
            "kind": "duration",
            "calendar": "always",
            "label": "1 h in always",
            "within_seconds": 3600,
            "within": "1 h",
        }
        assert data["plans"]["enterprise"]["entitlements"]["named_contact_limit"] is None
        assert data["calendars"]["weekend"]["windows"] == ["Fri 17:00 - Mon 09:00"]
        assert "2026-07-03" in data["holidays"]["us_federal"]["dates"]

    def test_invalid_policy(self, bad_policy, tmp_path):
        message, err = call_failing("policy", "show", "--policy", str(bad_policy))
        assert len(err.splitlines()) == 2
        assert message == f"{bad_policy}: invalid (2 problems)"


class TestSlaDue:
    def test_due_in_utc_and_in_the_calendar_zone(self):
        out, _ = call(
            "sla",
            "due",
            "--plan",
            "premier",
            "--severity",
            "L2",
            "--opened",
            "2026-03-06T16:30:00-08:00",
        )
        assert out.splitlines() == [
            "due (UTC):   2026-03-07T02:30:00+00:00",
            "due (local): 2026-03-06T18:30:00-08:00 (Fri) America/Los_Angeles",
        ]

    def test_explain_non_production(self):
        out, _ = call(
            "sla",
            "due",
            "--plan",
            "premier",
            "--severity",
            "L1",
            "--opened",
            "2026-03-06T16:30:00-08:00",
            "--non-production",
            "--explain",
        )
        assert out.splitlines() == [
            "plan:      premier (Premier Support)",
            "severity:  L4 (requested L1; non-production tickets are L4)",
            "target:    24 h in weekday_24x5",
            "calendar:  weekday_24x5: Mon 00:00 - Sat 00:00 America/Los_Angeles, open on holidays",
            "opened:    2026-03-06T16:30:00-08:00 (Fri) = 2026-03-07T00:30:00+00:00 UTC",
            "counted:   24 h of open time in these windows (America/Los_Angeles):",
            "  Fri 2026-03-06 16:30 -> Sat 2026-03-07 00:00 PST  (7 h 30 min)",
            "  Mon 2026-03-09 00:00 -> Mon 2026-03-09 16:30 PDT  (16 h 30 min)",
            "due (UTC):   2026-03-09T23:30:00+00:00",
            "due (local): 2026-03-09T16:30:00-07:00 (Mon) America/Los_Angeles",
        ]

    def test_explain_next_business_day(self):
        out, _ = call(
            "sla",
            "due",
            "--plan",
            "professional",
            "--severity",
            "L2",
            "--opened",
            "2026-07-02T10:00:00-07:00",
            "--explain",
        )
        assert "target:    next business day 17:00" in out
        assert "due (local): 2026-07-06T17:00:00-07:00 (Mon) America/Los_Angeles" in out

    def test_json(self):
        out, _ = call(
            "sla",
            "due",
            "--plan",
            "enterprise",
            "--severity",
            "L1",
            "--opened",
            "2026-03-06T22:00:00-08:00",
            "--json",
        )
        data = json.loads(out)
        assert data["due"] == "2026-03-09T09:00:00+00:00"
        assert data["due_local"] == "2026-03-09T02:00:00-07:00"
        assert data["severity"] == "L1"
        assert data["open_seconds_counted"] == 4 * 3600
        assert data["windows"] == [
            {"start": "2026-03-06T22:00:00-08:00", "end": "2026-03-07T00:00:00-08:00"},
            {"start": "2026-03-09T00:00:00-07:00", "end": "2026-03-09T02:00:00-07:00"},
        ]
        assert data["policy_version"] == VERSION

    def test_other_policy(self):
        out, _ = call(
            "sla",
            "due",
            "--policy",
            str(BERLIN),
            "--plan",
            "plus",
            "--severity",
            "P3",
            "--opened",
            "2026-12-23T17:30:00+01:00",
        )
        assert "due (local): 2026-12-28T09:00:00+01:00 (Mon) Europe/Berlin" in out

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                ["--plan", "gold", "--severity", "L1", "--opened", "2026-03-06T16:30:00-08:00"],
                f"unknown plan 'gold' (known: premier, enterprise, professional) in policy mattermost {VERSION}",
            ),
            (
                ["--plan", "premier", "--severity", "L9", "--opened", "2026-03-06T16:30:00-08:00"],
                f"unknown severity 'L9' (known: L1, L2, L3, L4) in policy mattermost {VERSION}",
            ),
            (
                ["--plan", "premier", "--severity", "L1", "--opened", "2026-03-06T16:30:00"],
                "--opened '2026-03-06T16:30:00' has no UTC offset; add one, e.g. "
                "2026-03-06T16:30:00-08:00 or 2026-03-06T16:30:00Z for UTC",
            ),
            (
                ["--plan", "premier", "--severity", "L1", "--opened", "next tuesday"],
                "--opened 'next tuesday' is not an ISO-8601 date and time (e.g. 2026-03-06T16:30:00-08:00)",
            ),
        ],
        ids=["unknown-plan", "unknown-level", "no-offset", "unparsable"],
    )
    def test_bad_input_is_one_line_and_exit_1(self, args, message, tmp_path):
        assert call_failing("sla", "due", *args)[0] == message
        result = run_sladesk("sla", "due", *args, tmp_path=tmp_path)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [f"CommandError: {message}"]
        assert result.stdout == ""

    def test_subprocess_success(self, tmp_path):
        result = run_sladesk(
            "sla",
            "due",
            "--plan",
            "premier",
            "--severity",
            "L2",
            "--opened",
            "2026-03-06T16:30:00-08:00",
            tmp_path=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0] == "due (UTC):   2026-03-07T02:30:00+00:00"

    def test_help(self, tmp_path):
        result = run_sladesk("sla", "due", "--help", tmp_path=tmp_path)
        assert result.returncode == 0
        for option in (
            "--plan",
            "--severity",
            "--opened",
            "--non-production",
            "--policy",
            "--explain",
            "--json",
        ):
            assert option in result.stdout
