"""The policy fields tickets read: [sla] waiting_on_customer_pauses and reopen_window."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.policy import PolicyError, default_policy_path, get_policy, load_policy_text


def with_sla(extra: str) -> str:
    text = default_policy_path().read_text()
    return text.replace(
        "warning_thresholds = [0.75, 0.9]\n", f"warning_thresholds = [0.75, 0.9]\n{extra}\n", 1
    )


def test_shipped_policy():
    policy = get_policy()
    assert policy.waiting_on_customer_pauses == frozenset({"next_reply", "resolution"})
    assert policy.reopen_window == dt.timedelta(hours=48)
    assert policy.warning_thresholds == (0.75, 0.9)


def test_defaults_when_absent():
    text = default_policy_path().read_text()
    text = text.replace('waiting_on_customer_pauses = ["next_reply", "resolution"]\n', "")
    text = text.replace('reopen_window = "48h"\n', "")
    policy = load_policy_text(text, source="test")
    assert policy.waiting_on_customer_pauses == frozenset({"next_reply", "resolution"})
    assert policy.reopen_window == dt.timedelta(hours=48)


def test_first_response_is_never_paused():
    text = with_sla("").replace(
        'waiting_on_customer_pauses = ["next_reply", "resolution"]',
        'waiting_on_customer_pauses = ["first_response"]',
    )
    with pytest.raises(PolicyError, match="first-response clock is never paused"):
        load_policy_text(text, source="test")


def test_bad_reopen_window():
    text = (
        default_policy_path()
        .read_text()
        .replace('reopen_window = "48h"', 'reopen_window = "2 days"')
    )
    with pytest.raises(PolicyError, match="reopen_window"):
        load_policy_text(text, source="test")


def test_custom_values():
    text = (
        default_policy_path()
        .read_text()
        .replace(
            'waiting_on_customer_pauses = ["next_reply", "resolution"]',
            "waiting_on_customer_pauses = []",
        )
        .replace('reopen_window = "48h"', 'reopen_window = "72h"')
    )
    policy = load_policy_text(text, source="test")
    assert policy.waiting_on_customer_pauses == frozenset()
    assert policy.reopen_window == dt.timedelta(hours=72)
