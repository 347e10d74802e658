"""A bad policy file fails ``manage.py check`` (and so server start) with ``policy.E001``."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from sladesk.policy import default_policy_path
from sladesk.policy.checks import check_policy


@pytest.fixture
def bad_policy(tmp_path):
    path = tmp_path / "bad.toml"
    text = default_policy_path().read_text(encoding="utf-8")
    path.write_text(
        text.replace('calendar = "always" }', 'calendar = "alwyas" }', 1).replace(
            'days = "Mon-Fri"', 'days = "Mon-Fru"'
        ),
        encoding="utf-8",
    )
    return path


def test_the_shipped_policy_passes():
    assert check_policy() == []


def test_a_bad_policy_is_error_e001_listing_every_problem(bad_policy):
    with override_settings(SLADESK_POLICY=str(bad_policy)):
        errors = check_policy()
    assert len(errors) == 1
    error = errors[0]
    assert error.id == "policy.E001"
    assert error.level == checks.ERROR
    assert error.msg.splitlines() == [
        "the support policy is invalid:",
        f"  {bad_policy}: calendars.business_day.windows[0].days: unknown weekday 'Fru' "
        "(expected Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
        f"  {bad_policy}: plans.premier.first_response.L1.calendar: unknown calendar 'alwyas' "
        "(did you mean 'always'?)",
    ]
    assert str(bad_policy) in error.hint


def test_the_check_is_registered_and_fails_manage_py_check(bad_policy):
    with override_settings(SLADESK_POLICY=str(bad_policy)):
        assert [e.id for e in checks.run_checks()] == ["policy.E001"]
        with pytest.raises(SystemCheckError, match="policy.E001"):
            call_command("check")


def test_a_missing_file_is_reported_too(tmp_path):
    with override_settings(SLADESK_POLICY=str(tmp_path / "nowhere.toml")):
        errors = check_policy()
    assert [e.id for e in errors] == ["policy.E001"]
    assert "cannot read the file" in errors[0].msg
