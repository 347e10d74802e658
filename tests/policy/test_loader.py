"""The shipped policy encodes the contract table by table; another vendor's file loads too."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.test import override_settings

from sladesk.clock import Calendar, Union, Window, elapsed
from sladesk.policy import (
    Policy,
    PolicyError,
    Target,
    clear_policy_cache,
    default_policy_path,
    get_policy,
    load_policy,
    load_policy_text,
    policy_path,
)

DATA = default_policy_path().parent
BERLIN = DATA / "example-berlin.toml"
H = 3600
DAY = 24 * H

FEDERAL_HOLIDAYS = (
    "New Year's Day",
    "Martin Luther King Jr. Day",
    "Washington's Birthday",
    "Memorial Day",
    "Juneteenth National Independence Day",
    "Independence Day",
    "Labor Day",
    "Columbus Day",
    "Veterans Day",
    "Thanksgiving Day",
    "Christmas Day",
)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(default_policy_path())


def within(hours, calendar):
    return Target(kind="duration", calendar=calendar, within=timedelta(hours=hours))


NEXT_BUSINESS_DAY = Target(kind="next_business_day", calendar="business_day", at=time(17, 0))


class TestHeader:
    def test_identity_and_zone(self, policy):
        assert policy.id == "mattermost"
        assert policy.vendor == "Mattermost, Inc."
        assert policy.zone == "America/Los_Angeles"
        assert policy.file_version == "2026.1"
        assert policy.warning_thresholds == (0.75, 0.9)

    def test_version_is_the_file_version_plus_the_content_hash(self, policy):
        digest = hashlib.sha256(default_policy_path().read_bytes()).hexdigest()
        assert policy.content_hash == digest
        assert policy.version == f"2026.1+{digest[:12]}"

    def test_the_same_text_gives_the_same_version_and_a_change_a_new_one(self, policy):
        text = default_policy_path().read_text(encoding="utf-8")
        assert load_policy_text(text, source="x").version == policy.version
        changed = load_policy_text(text + "\n# a comment\n", source="x")
        assert changed.file_version == policy.file_version
        assert changed.version != policy.version


class TestPlans:
    def test_plan_ids_names_and_includes(self, policy):
        assert list(policy.plans) == ["premier", "enterprise", "professional"]
        assert policy.plans["premier"].marketing_name == "Premier Support"
        assert policy.plans["enterprise"].marketing_name == "E20 Support (Enterprise Edition)"
        assert policy.plans["professional"].marketing_name == "E10 Support (Professional Edition)"
        assert policy.plans["professional"].includes == (
            "self-help resources",
            "online ticket creation",
            "business-day coverage",
        )
        assert policy.plans["enterprise"].includes == (
            "all of E10",
            "email support",
            "weekday 24x5 coverage",
        )
        assert "all of E20" in policy.plans["premier"].includes
        assert len(policy.plans["premier"].includes) == 10

    def test_premier_entitlements(self, policy):
        e = policy.plans["premier"].entitlements
        assert e.channels == frozenset({"portal", "email", "api", "chat"})
        assert e.email_support is True
        assert e.named_contacts_required is True
        assert e.named_contact_limit == 3
        assert e.non_production_environments == 4
        assert e.weekend_coverage_levels == frozenset({"L1", "L2"})
        for flag in (
            "senior_routing",
            "development_priority",
            "screen_sharing",
            "health_checks",
            "deployment_advisory",
            "onboarding",
            "roadmap_influence",
        ):
            assert getattr(e, flag) is True, flag

    @pytest.mark.parametrize(
        ("plan", "channels", "email"),
        [
            ("enterprise", {"portal", "email", "api", "chat"}, True),
            ("professional", {"portal", "api", "chat"}, False),
        ],
    )
    def test_e10_and_e20_entitlements(self, policy, plan, channels, email):
        e = policy.plans[plan].entitlements
        assert e.channels == frozenset(channels)
        assert e.email_support is email
        assert e.named_contacts_required is False
        assert e.named_contact_limit is None  # (decided) no fixed limit
        assert e.non_production_environments == 0
        assert e.weekend_coverage_levels == frozenset()
        for flag in (
            "senior_routing",
            "development_priority",
            "screen_sharing",
            "health_checks",
            "deployment_advisory",
            "onboarding",
            "roadmap_influence",
        ):
            assert getattr(e, flag) is False, flag

    def test_first_response_table_matches_the_contract(self, policy):
        table = {plan.id: plan.first_response for plan in policy.plans.values()}
        assert table == {
            "premier": {
                "L1": within(1, "always"),
                "L2": within(2, "always"),
                "L3": within(8, "weekday_24x5"),
                "L4": within(24, "weekday_24x5"),
            },
            "enterprise": {
                "L1": within(4, "weekday_24x5"),
                "L2": within(8, "weekday_24x5"),
                "L3": within(16, "weekday_24x5"),
                "L4": NEXT_BUSINESS_DAY,
            },
            "professional": dict.fromkeys(("L1", "L2", "L3", "L4"), NEXT_BUSINESS_DAY),
        }

    def test_next_reply_table_matches_the_handbook(self, policy):
        table = {plan.id: plan.next_reply for plan in policy.plans.values()}
        assert table == {
            "premier": {
                "L1": within(2, "always"),
                "L2": within(4, "always"),
                "L3": within(24, "weekday_24x5"),
                "L4": within(24, "weekday_24x5"),
            },
            "enterprise": {
                "L1": within(4, "weekday_24x5"),
                "L2": within(8, "weekday_24x5"),
                "L3": within(24, "weekday_24x5"),
                "L4": within(24, "business_day"),  # same calendar as L4's first response
            },
            "professional": {},
        }

    def test_next_reply_counts_in_the_first_response_calendar(self, policy):
        for plan in policy.plans.values():
            for level, target in plan.next_reply.items():
                assert target.calendar == plan.first_response[level].calendar, (plan.id, level)

    def test_no_resolution_targets(self, policy):
        assert all(plan.resolution == {} for plan in policy.plans.values())

    def test_target_labels_read_like_the_contract(self, policy):
        assert policy.plans["premier"].first_response["L1"].label() == "1 h in always"
        assert policy.plans["enterprise"].first_response["L4"].label() == "next business day 17:00"


class TestCalendars:
    def test_business_day(self, policy):
        spec = policy.calendars["business_day"]
        assert spec.zone == "America/Los_Angeles"
        assert spec.holidays == "us_federal"
        assert spec.open_on_holidays is False
        assert spec.windows == tuple(
            Window(start=d * DAY + 9 * H, end=d * DAY + 17 * H) for d in range(5)
        )
        assert isinstance(spec.calendar, Calendar)
        assert spec.calendar.holidays == policy.holiday_rules["us_federal"].dates
        assert spec.calendar.open_on_holidays is False

    def test_weekday_24x5_runs_monday_00_to_saturday_00_open_on_holidays(self, policy):
        spec = policy.calendars["weekday_24x5"]
        assert spec.windows == (Window(start=0, end=5 * DAY),)
        assert spec.open_on_holidays is True
        assert spec.holidays is None

    def test_weekend_runs_friday_17_to_monday_09(self, policy):
        spec = policy.calendars["weekend"]
        assert spec.windows == (Window(start=4 * DAY + 17 * H, end=9 * H),)
        assert spec.windows[0].wraps
        assert spec.open_on_holidays is True

    def test_always_is_the_union_of_weekday_24x5_and_weekend(self, policy):
        spec = policy.calendars["always"]
        assert spec.kind == "union"
        assert spec.parts == ("weekday_24x5", "weekend")
        assert isinstance(spec.calendar, Union)
        assert spec.calendar.parts == (
            policy.calendars["weekday_24x5"].calendar,
            policy.calendars["weekend"].calendar,
        )
        assert spec.zone == "America/Los_Angeles"

    def test_always_is_open_at_every_instant_of_a_week_with_a_dst_change(self, policy):
        start = datetime(2026, 3, 2, tzinfo=UTC)  # the week of the spring-forward night
        end = start + timedelta(days=7)
        assert elapsed(policy.calendars["always"].calendar, start, end) == timedelta(days=7)


class TestHolidays:
    def test_rule(self, policy):
        rule = policy.holiday_rules["us_federal"]
        assert rule.country == "US"
        assert rule.subdivision is None
        assert rule.observed is True
        assert rule.only == FEDERAL_HOLIDAYS
        assert rule.years == (2020, 2040)

    def test_2026_dates_are_the_11_federal_holidays_on_observed_dates(self, policy):
        dates = sorted(d for d in policy.holiday_rules["us_federal"].dates if d.year == 2026)
        assert dates == [
            date(2026, 1, 1),
            date(2026, 1, 19),
            date(2026, 2, 16),
            date(2026, 5, 25),
            date(2026, 6, 19),
            date(2026, 7, 3),  # Independence Day falls on a Saturday: observed Friday
            date(2026, 9, 7),
            date(2026, 10, 12),
            date(2026, 11, 11),
            date(2026, 11, 26),
            date(2026, 12, 25),
        ]

    def test_weekend_actual_dates_are_replaced_by_their_observed_dates(self, policy):
        dates = policy.holiday_rules["us_federal"].dates
        assert date(2026, 7, 4) not in dates  # Saturday
        assert date(2027, 6, 18) in dates and date(2027, 6, 19) not in dates  # Juneteenth
        assert date(2027, 7, 5) in dates and date(2027, 7, 4) not in dates  # Sunday -> Monday
        # New Year's Day 2028 is a Saturday, observed on Friday 2027-12-31
        assert date(2027, 12, 31) in dates and date(2028, 1, 1) not in dates

    def test_every_year_has_11_holidays_after_juneteenth_became_one(self, policy):
        dates = policy.holiday_rules["us_federal"].dates
        assert len(dates) == 230
        for year in range(2022, 2040):
            # a year whose 1 January is a Saturday observes it in the previous year
            expected = 10 if date(year, 1, 1).weekday() == 5 else 11
            expected += 1 if date(year + 1, 1, 1).weekday() == 5 else 0
            assert len([d for d in dates if d.year == year]) == expected, year


class TestSeveritiesAndRules:
    def test_severity_levels(self, policy):
        assert [(s.id, s.rank, s.name) for s in policy.severities.values()] == [
            ("L1", 1, "Urgent business impact"),
            ("L2", 2, "High business impact"),
            ("L3", 3, "Normal business impact"),
            ("L4", 4, "Low business impact"),
        ]
        assert "data loss or corruption" in policy.severities["L1"].characteristics
        assert "issue on a non-production system" in policy.severities["L4"].characteristics

    def test_production_rule(self, policy):
        assert policy.production.non_production_severity == "L4"
        assert policy.production.agent_may_override is True
        assert "staging" in policy.production.description

    def test_contact_rules(self, policy):
        contacts = policy.contacts
        assert contacts.end_users_supported is False
        assert contacts.company_domain_required is True
        assert contacts.refuse_role_addresses == "named_contacts"
        for part in ("support", "it", "admins", "team", "info", "noc", "helpdesk", "postmaster"):
            assert part in contacts.role_local_parts

    def test_release_rule(self, policy):
        assert policy.releases.rule == "latest_or_previous_major"
        assert policy.releases.extended_support_until_end is True

    def test_scope_exclusions(self, policy):
        ids = [x.id for x in policy.exclusions]
        assert ids == [
            "language",
            "end_user",
            "no_subscription",
            "development_question",
            "api_defect_without_sample",
            "third_party",
            "remote_administration",
            "professional_services",
            "unsupported_release",
        ]
        by_id = {x.id: x for x in policy.exclusions}
        assert by_id["development_question"].pointer == "https://forum.mattermost.com/"
        assert by_id["language"].pointer is None
        assert all(x.title and x.reason for x in policy.exclusions)


class TestBerlinExample:
    def test_loads_with_its_own_ids_zone_and_holidays(self):
        policy = load_policy(BERLIN)
        assert policy.id == "example-berlin"
        assert policy.zone == "Europe/Berlin"
        assert list(policy.plans) == ["basic", "plus"]
        assert list(policy.severities) == ["P1", "P2", "P3"]
        assert policy.production.non_production_severity == "P3"
        rule = policy.holiday_rules["berlin"]
        assert (rule.country, rule.subdivision, rule.language) == ("DE", "BE", "en_US")
        dates = rule.dates
        assert date(2026, 3, 8) in dates  # International Women's Day: a Berlin holiday
        assert date(2026, 12, 24) in dates  # an extra date of this vendor
        assert date(2026, 10, 3) in dates  # German Unity Day
        office = policy.calendars["office_hours"]
        assert office.calendar.zone == "Europe/Berlin"
        assert len(office.windows) == 5
        assert office.windows[4] == Window(start=4 * DAY + 8 * H, end=4 * DAY + 16 * H)
        assert policy.plans["plus"].entitlements.non_production_environments is None
        assert policy.plans["plus"].first_response["P3"].within == timedelta(hours=1, minutes=30)
        assert policy.plans["basic"].first_response["P2"] == Target(
            kind="next_business_day", calendar="office_hours", at=time(12, 0)
        )
        assert policy.warning_thresholds == (0.5, 0.8, 0.95)


class TestGetPolicy:
    def test_default_is_the_shipped_file(self, settings):
        settings.SLADESK_POLICY = None
        assert policy_path() == str(default_policy_path())
        assert get_policy().id == "mattermost"

    def test_django_setting_wins(self):
        with override_settings(SLADESK_POLICY=str(BERLIN)):
            assert get_policy().id == "example-berlin"
        assert get_policy().id == "mattermost"

    def test_cached_per_path_and_reloaded_when_the_file_changes(self, tmp_path):
        path = tmp_path / "policy.toml"
        text = default_policy_path().read_text(encoding="utf-8")
        path.write_text(text, encoding="utf-8")
        with override_settings(SLADESK_POLICY=str(path)):
            first = get_policy()
            assert get_policy() is first
            path.write_text(text.replace('version = "2026.1"', 'version = "2026.2-local"'))
            os.utime(path, ns=(1, 1))  # a different mtime even on coarse file systems
            second = get_policy()
            assert second.file_version == "2026.2-local"
            assert get_policy() is second

    def test_a_bad_file_raises_every_time(self, tmp_path):
        path = tmp_path / "bad.toml"
        path.write_text("[policy\n", encoding="utf-8")
        with override_settings(SLADESK_POLICY=str(path)):
            clear_policy_cache()
            for _ in range(2):
                with pytest.raises(PolicyError):
                    get_policy()

    def test_without_django_the_environment_variable_is_read(self):
        code = (
            "import sys; from sladesk.policy import get_policy; p = get_policy(); "
            "assert not any(m.startswith('django') for m in sys.modules), 'django imported'; "
            "print(p.id)"
        )
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env["SLADESK_POLICY"] = str(BERLIN)
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "example-berlin"


def test_load_policy_reports_an_unreadable_file(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(PolicyError) as info:
        load_policy(missing)
    assert str(info.value) == f"{missing}: cannot read the file: No such file or directory"


def test_load_policy_accepts_a_path_object_and_names_it_as_given(tmp_path):
    path = tmp_path / "copy.toml"
    path.write_bytes(default_policy_path().read_bytes())
    assert load_policy(Path(path)).source == str(path)
