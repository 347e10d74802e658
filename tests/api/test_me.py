"""/api/me: who the token belongs to, and your own profile."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_agent, make_contact, make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def test_a_contact_sees_and_edits_their_profile(api_as):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    maria = make_contact(acme, "maria", name="Maria")
    me = api_as(maria.user)
    assert me.get("/me").json() == {
        "kind": "contact",
        "email": "maria@acme.example",
        "name": "Maria",
        "role": None,
        "organisation_id": acme.pk,
        "contact_id": maria.pk,
        "named": True,
        "scopes": ["read", "write"],
    }
    assert (
        me.patch("/me", {"name": "Maria Garcia", "phone": "+1 555 0100"}).json()["name"]
        == "Maria Garcia"
    )


def test_an_agent_sees_their_role_and_may_change_only_their_name(api_as):
    agent = make_agent("support_manager", email="morgan@sladesk.example")
    me = api_as(agent.user)
    assert (me.get("/me").json()["kind"], me.get("/me").json()["role"]) == (
        "agent",
        "support_manager",
    )
    assert me.patch("/me", {"name": "Morgan Lee"}).json()["name"] == "Morgan Lee"
    assert error(me.patch("/me", {"phone": "1"}), 422) == "invalid_input"


def test_unknown_fields_are_refused_not_ignored(api_as):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    me = api_as(make_contact(acme, "maria", name="Maria").user)
    response = me.patch("/me", {"name": "Maria G", "email": "evil@x.example"})
    assert error(response, 422) == "invalid_input"
    body = response.json()["error"]
    assert "email" in body["message"]
    assert [f["loc"][-1] for f in body["details"]["fields"]] == ["email"]
    assert me.get("/me").json()["name"] == "Maria"  # nothing was applied
