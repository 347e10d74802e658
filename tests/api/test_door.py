"""The door through the API: agents check any request; contacts ask about themselves."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_contact, make_env, make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def reasons(response):
    assert response.status_code == 200, response.content
    return [r["code"] for r in response.json()["reasons"]]


def test_agents_check_requests_and_get_every_refusal_code(as_role):
    engineer = as_role("support_engineer")
    northwind = make_org("Northwind", domains=["northwind.example"], plan="professional")
    make_contact(northwind, "priya")
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    make_contact(acme, "bob", named=False)
    theirs = make_env(northwind, "northwind prod")
    at = "2026-11-25T10:00:00-08:00"
    cases = {
        "channel_not_in_plan": {"requester_email": "priya@northwind.example", "channel": "email"},
        "not_named_contact": {"requester_email": "bob@acme.example", "channel": "portal"},
        "not_a_contact": {"requester_email": "eve@acme.example", "channel": "portal"},
        "unknown_organisation": {
            "requester_email": "bob@acme.example",
            "channel": "portal",
            "organisation": "umbrella",
        },
        "environment_other_organisation": {
            "requester_email": "bob@acme.example",
            "channel": "portal",
            "environment_id": theirs.pk,
        },
    }
    for code, body in cases.items():
        assert code in reasons(engineer.post("/requests/check", {**body, "at": at})), code


def test_the_decision_carries_flags_for_the_agent(as_role, catalogue):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    make_contact(acme, "maria")
    legacy = make_env(acme, "legacy", version="9.5.2")
    body = (
        as_role("support_engineer")
        .post(
            "/requests/check",
            {
                "requester_email": "maria@acme.example",
                "channel": "email",
                "environment_id": legacy.pk,
            },
        )
        .json()
    )
    assert body["allowed"] is True and body["plan_id"] == "premier"
    assert {f["code"] for f in body["flags"]} >= {"unsupported_release", "senior_routing"}


def test_a_naive_instant_is_refused(as_role):
    response = as_role("support_engineer").post(
        "/requests/check",
        {"requester_email": "a@b.example", "channel": "email", "at": "2026-11-25T10:00:00"},
    )
    assert error(response, 422) == "invalid_input"


def test_contacts_ask_only_about_themselves(api_as):
    northwind = make_org("Northwind", domains=["northwind.example"], plan="professional")
    priya = make_contact(northwind, "priya")
    me = api_as(priya.user)
    assert (
        error(
            me.post("/requests/check", {"requester_email": "x@y.example", "channel": "email"}), 403
        )
        == "permission_denied"
    )
    body = me.get("/me/eligibility", channel="email").json()
    assert body["allowed"] is False
    assert (
        body["reasons"][0]["message"]
        == "E-mail support is not part of E10 Support (Professional Edition): "
        "please open tickets in the portal"
    )
    assert body["flags"] == []  # agent flags stay with the agents
    assert me.get("/me/eligibility", channel="portal").json()["allowed"] is True
