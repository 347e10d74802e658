"""Agents, roles and teams (agent_add, agent_update, team_create)."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import Agent, Team
from sladesk.accounts.services import agent_add, agent_update, team_create
from sladesk.core.exceptions import DeskError
from tests.accounts.factories import CLI, make_contact, make_org

pytestmark = pytest.mark.django_db


def test_the_senior_team_exists_by_default():
    assert Team.objects.get(slug="senior").name == "Senior support team"


@pytest.mark.parametrize(
    ("role", "staff", "superuser"),
    [
        ("support_engineer", False, False),
        ("senior_support_engineer", False, False),
        ("support_manager", True, False),
        ("administrator", True, True),
    ],
)
def test_each_role_gets_its_admin_access(role, staff, superuser):
    agent = agent_add(email=f"{role}@sladesk.example", name="A", role=role, actor=CLI)
    assert (agent.user.is_staff, agent.user.is_superuser) == (staff, superuser)


def test_senior_support_engineers_join_the_senior_team():
    agent = agent_add(
        email="sasha@sladesk.example", name="Sasha", role="senior_support_engineer", actor=CLI
    )
    assert [t.slug for t in agent.teams.all()] == ["senior"]


def test_an_agent_can_have_a_password_validated_and_hashed():
    agent = agent_add(
        email="sam@sladesk.example",
        name="Sam",
        role="support_engineer",
        password="a long passphrase 42",
        actor=CLI,
    )
    assert agent.user.check_password("a long passphrase 42")
    with pytest.raises(DeskError) as refused:
        agent_add(
            email="kim@sladesk.example",
            name="Kim",
            role="support_engineer",
            password="123",
            actor=CLI,
        )
    assert refused.value.code == "weak_password"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"role": "wizard"}, "unknown_role"),
        ({"teams": ["nope"]}, "unknown_team"),
        ({"email": "not-an-email"}, "invalid_email"),
        ({"name": " "}, "name_required"),
    ],
)
def test_bad_agents_are_refused(kwargs, code):
    args = {"email": "sam@sladesk.example", "name": "Sam", "role": "support_engineer", **kwargs}
    with pytest.raises(DeskError) as refused:
        agent_add(actor=CLI, **args)
    assert refused.value.code == code


def test_an_address_is_one_person():
    agent_add(email="sam@sladesk.example", name="Sam", role="support_engineer", actor=CLI)
    with pytest.raises(DeskError) as refused:
        agent_add(email="SAM@sladesk.example", name="Sam", role="support_engineer", actor=CLI)
    assert refused.value.code == "agent_exists"
    maria = make_contact(make_org("Acme", domains=["acme.example"]), "maria")
    with pytest.raises(DeskError) as refused:
        agent_add(email=maria.email, name="Maria", role="support_engineer", actor=CLI)
    assert refused.value.code == "email_is_contact"


def test_promoting_and_deactivating_an_agent():
    agent = agent_add(email="sam@sladesk.example", name="Sam", role="support_engineer", actor=CLI)
    agent_update(agent=agent, role="support_manager", teams=["senior"], actor=CLI)
    agent.refresh_from_db()
    assert agent.role == Agent.Role.SUPPORT_MANAGER and agent.user.is_staff is True
    agent_update(agent=agent, active=False, actor=CLI)
    agent.user.refresh_from_db()
    assert agent.user.is_active is False


def test_teams_have_unique_references():
    team_create(name="Escalations", actor=CLI)
    with pytest.raises(DeskError) as refused:
        team_create(name="escalations", actor=CLI)
    assert refused.value.code == "team_exists"
