"""Subscriptions: the contract and its history (add, renew, change plan, cancel)."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.accounts.models import Subscription
from sladesk.accounts.selectors import subscription_history, subscription_valid_on
from sladesk.accounts.services import (
    subscription_add,
    subscription_cancel,
    subscription_change_plan,
    subscription_renew,
)
from sladesk.core.exceptions import DeskError
from tests.accounts.factories import CLI, NOW, make_contact, make_env, make_org

pytestmark = pytest.mark.django_db
D = dt.date


def refused(code, fn, **kwargs):
    with pytest.raises(DeskError) as caught:
        fn(actor=CLI, **kwargs)
    assert caught.value.code == code
    return caught.value.message


@pytest.fixture
def org():
    return make_org("Initech", domains=["initech.example"], plan=None)


def test_a_subscription_records_its_plan_term_and_policy_version(org, policy):
    sub = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 3, 1), actor=CLI
    )
    assert (sub.plan_id, sub.starts_on, sub.ends_on) == (
        "enterprise",
        D(2026, 3, 1),
        D(2027, 2, 28),
    )
    assert sub.status == Subscription.Status.ACTIVE
    assert sub.policy_version == policy.version


def test_validity_on_a_day_is_a_query_over_dates(org):
    sub = subscription_add(
        organisation=org,
        plan_id="enterprise",
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
        actor=CLI,
    )
    assert subscription_valid_on(organisation=org, day=D(2025, 12, 31)) is None
    assert subscription_valid_on(organisation=org, day=D(2026, 1, 1)) == sub
    assert (
        subscription_valid_on(organisation=org, day=D(2026, 12, 31)) == sub
    )  # the end date is covered
    assert subscription_valid_on(organisation=org, day=D(2027, 1, 1)) is None
    assert list(Subscription.objects.valid_on(D(2026, 6, 1))) == [sub]


def test_an_unknown_plan_is_refused(org):
    assert refused(
        "unknown_plan", subscription_add, organisation=org, plan_id="gold", starts_on=D(2026, 1, 1)
    ).startswith("unknown plan 'gold': the policy")


def test_a_term_cannot_end_before_it_starts(org):
    assert (
        refused(
            "invalid_dates",
            subscription_add,
            organisation=org,
            plan_id="enterprise",
            starts_on=D(2026, 5, 1),
            ends_on=D(2026, 4, 30),
        )
        == "the subscription would end (2026-04-30) before it starts (2026-05-01)"
    )


def test_terms_of_one_organisation_cannot_overlap(org):
    first = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    message = refused(
        "subscription_overlap",
        subscription_add,
        organisation=org,
        plan_id="premier",
        starts_on=D(2026, 6, 1),
    )
    assert message == (
        f"Initech already has a enterprise subscription covering 2026-01-01..2026-12-31 (#{first.pk}); "
        "renew, change or cancel it instead"
    )


def test_a_renewal_starts_the_day_after_and_keeps_the_history(org):
    first = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    second = subscription_renew(subscription=first, actor=CLI)
    assert (second.starts_on, second.ends_on, second.plan_id) == (
        D(2027, 1, 1),
        D(2027, 12, 31),
        "enterprise",
    )
    assert second.renewal_of == first
    assert list(subscription_history(organisation=org)) == [first, second]


def test_a_renewal_can_change_plan(org):
    first = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    assert (
        subscription_renew(
            subscription=first, plan_id="premier", ends_on=D(2027, 6, 30), actor=CLI
        ).plan_id
        == "premier"
    )


def test_a_subscription_is_renewed_once(org):
    first = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    second = subscription_renew(subscription=first, actor=CLI)
    assert refused("subscription_already_renewed", subscription_renew, subscription=first) == (
        f"subscription #{first.pk} was already renewed by #{second.pk}; renew that one"
    )


def test_a_cancelled_subscription_cannot_be_renewed(org):
    first = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    subscription_cancel(subscription=first, reason="churn", actor=CLI, now=NOW)
    refused("subscription_cancelled", subscription_renew, subscription=first)


def test_cancelling_takes_effect_on_a_day_and_is_recorded(org):
    sub = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    subscription_cancel(
        subscription=sub, reason="non-payment", effective=D(2026, 9, 1), actor=CLI, now=NOW
    )
    sub.refresh_from_db()
    assert (sub.status, sub.cancelled_on, sub.cancel_reason) == (
        "cancelled",
        D(2026, 9, 1),
        "non-payment",
    )
    assert sub.is_valid_on(D(2026, 8, 31)) is True
    assert sub.is_valid_on(D(2026, 9, 1)) is False
    assert subscription_valid_on(organisation=org, day=D(2026, 9, 1)) is None


def test_cancelling_defaults_to_today_in_the_policy_zone(org):
    sub = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    at = dt.datetime(2026, 11, 26, 3, tzinfo=dt.UTC)  # still 25 November in Los Angeles
    assert subscription_cancel(subscription=sub, reason="x", actor=CLI, now=at).cancelled_on == D(
        2026, 11, 25
    )


def test_a_subscription_is_cancelled_once(org):
    sub = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    subscription_cancel(subscription=sub, reason="x", actor=CLI, now=NOW)
    refused("subscription_already_cancelled", subscription_cancel, subscription=sub, reason="again")


def test_cancelling_after_the_end_changes_nothing_and_is_refused(org):
    sub = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    refused(
        "invalid_dates", subscription_cancel, subscription=sub, reason="x", effective=D(2027, 2, 1)
    )


def test_a_cancelled_term_frees_the_rest_of_the_year(org):
    sub = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    subscription_cancel(subscription=sub, reason="x", effective=D(2026, 7, 1), actor=CLI, now=NOW)
    new = subscription_add(
        organisation=org, plan_id="professional", starts_on=D(2026, 7, 1), actor=CLI
    )
    assert subscription_valid_on(organisation=org, day=D(2026, 7, 1)) == new


def test_changing_plan_mid_term_keeps_both_rows(org):
    sub = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    new = subscription_change_plan(
        subscription=sub, plan_id="premier", effective=D(2026, 6, 1), actor=CLI, now=NOW
    )
    sub.refresh_from_db()
    assert (new.plan_id, new.starts_on, new.ends_on, new.renewal_of) == (
        "premier",
        D(2026, 6, 1),
        D(2026, 12, 31),
        sub,
    )
    assert sub.cancelled_on == D(2026, 6, 1)
    assert subscription_valid_on(organisation=org, day=D(2026, 5, 31)) == sub
    assert subscription_valid_on(organisation=org, day=D(2026, 6, 1)) == new


def test_a_plan_change_must_fall_within_the_term(org):
    sub = subscription_add(
        organisation=org, plan_id="enterprise", starts_on=D(2026, 1, 1), actor=CLI
    )
    refused(
        "invalid_dates",
        subscription_change_plan,
        subscription=sub,
        plan_id="premier",
        effective=D(2027, 2, 1),
    )
    refused(
        "same_plan",
        subscription_change_plan,
        subscription=sub,
        plan_id="enterprise",
        effective=D(2026, 2, 1),
    )


def test_moving_to_premier_with_too_many_named_contacts_is_refused():
    org = make_org(
        "Initech",
        domains=["initech.example"],
        plan="enterprise",
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
    )
    for n in range(4):
        make_contact(org, f"admin{n}", named=True)
    assert (
        refused(
            "named_contact_limit",
            subscription_add,
            organisation=org,
            plan_id="premier",
            starts_on=D(2027, 1, 1),
        )
        == "Initech has 4 named contacts but the premier plan allows 3; remove some or make them ordinary contacts first"
    )


def test_moving_to_premier_with_too_many_non_production_environments_is_refused():
    org = make_org(
        "Initech",
        domains=["initech.example"],
        plan="enterprise",
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
    )
    for n in range(5):
        make_env(org, f"test {n}", production=False)
    assert (
        refused(
            "non_production_limit",
            subscription_add,
            organisation=org,
            plan_id="premier",
            starts_on=D(2027, 1, 1),
        )
        == "Initech has 5 non-production environments but the premier plan licenses 4; retire some first"
    )
