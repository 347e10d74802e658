"""/api/.../subscriptions: managers sell, renew, change and cancel; contacts read their own."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_contact, make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


@pytest.fixture
def initech():
    return make_org("Initech", domains=["initech.example"], plan=None)


def test_the_contract_lifecycle(as_role, initech):
    manager = as_role("support_manager")
    sold = manager.post(
        f"/organisations/{initech.pk}/subscriptions",
        {"plan_id": "enterprise", "starts_on": "2026-01-01"},
    )
    assert sold.status_code == 201, sold.content
    first = sold.json()
    assert (first["ends_on"], first["status"]) == ("2026-12-31", "active")
    renewed = manager.post(f"/subscriptions/{first['id']}/renew", {"plan_id": "premier"}).json()
    assert (renewed["starts_on"], renewed["plan_id"], renewed["renewal_of_id"]) == (
        "2027-01-01",
        "premier",
        first["id"],
    )
    changed = manager.post(
        f"/subscriptions/{renewed['id']}/change-plan",
        {"plan_id": "enterprise", "effective": "2027-07-01"},
    ).json()
    assert (changed["starts_on"], changed["ends_on"]) == ("2027-07-01", "2027-12-31")
    cancelled = manager.post(
        f"/subscriptions/{changed['id']}/cancel", {"reason": "churn", "effective": "2027-09-01"}
    ).json()
    assert (cancelled["status"], cancelled["cancelled_on"], cancelled["cancel_reason"]) == (
        "cancelled",
        "2027-09-01",
        "churn",
    )
    history = manager.get(f"/organisations/{initech.pk}/subscriptions").json()["items"]
    assert [s["plan_id"] for s in history] == ["enterprise", "premier", "enterprise"]


def test_overlap_and_unknown_plan_are_refused_with_codes(as_role, initech):
    manager = as_role("support_manager")
    assert (
        error(
            manager.post(
                f"/organisations/{initech.pk}/subscriptions",
                {"plan_id": "gold", "starts_on": "2026-01-01"},
            ),
            422,
        )
        == "unknown_plan"
    )
    manager.post(
        f"/organisations/{initech.pk}/subscriptions",
        {"plan_id": "enterprise", "starts_on": "2026-01-01"},
    )
    overlap = manager.post(
        f"/organisations/{initech.pk}/subscriptions",
        {"plan_id": "premier", "starts_on": "2026-02-01"},
    )
    assert error(overlap, 409) == "subscription_overlap"


def test_senior_engineers_do_not_sell(as_role, initech):
    response = as_role("senior_support_engineer").post(
        f"/organisations/{initech.pk}/subscriptions",
        {"plan_id": "enterprise", "starts_on": "2026-01-01"},
    )
    assert error(response, 403) == "permission_denied"


def test_a_contact_sees_their_contract_without_internal_fields(api_as):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    maria = make_contact(acme, "maria")
    (sub,) = api_as(maria.user).get(f"/organisations/{acme.pk}/subscriptions").json()["items"]
    assert (sub["plan_id"], sub["valid_today"], sub["notes"], sub["cancel_reason"]) == (
        "premier",
        True,
        None,
        None,
    )
    assert (
        error(api_as(maria.user).post(f"/subscriptions/{sub['id']}/cancel", {"reason": "x"}), 403)
        == "permission_denied"
    )
