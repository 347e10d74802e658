"""/api/agents and /api/teams: agents read, administrators write."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import Agent
from tests.accounts.factories import make_contact, make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_and_promotes_an_agent(as_role):
    admin = as_role("administrator")
    created = admin.post(
        "/agents",
        {"email": "sasha@sladesk.example", "name": "Sasha", "role": "senior_support_engineer"},
    )
    assert created.status_code == 201
    assert created.json()["teams"] == ["senior"]
    promoted = admin.patch(f"/agents/{created.json()['id']}", {"role": "support_manager"})
    assert promoted.json()["role"] == "support_manager"
    assert Agent.objects.get(pk=created.json()["id"]).user.is_staff is True


def test_agents_read_agents_and_teams(as_role):
    engineer = as_role("support_engineer")
    assert len(engineer.get("/agents").json()["items"]) == 1
    assert "senior" in [t["slug"] for t in engineer.get("/teams").json()]
    assert (
        error(
            engineer.post(
                "/agents", {"email": "x@sladesk.example", "name": "X", "role": "administrator"}
            ),
            403,
        )
        == "permission_denied"
    )


def test_contacts_do_not_see_the_staff(api_as):
    maria = make_contact(make_org("Acme", domains=["acme.example"]), "maria")
    assert error(api_as(maria.user).get("/agents"), 403) == "permission_denied"
    assert error(api_as(maria.user).get("/teams"), 403) == "permission_denied"
