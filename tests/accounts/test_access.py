"""The access chokepoint: roles and what each may do; what a contact may see."""

from __future__ import annotations

import pytest

from sladesk.accounts.access import (
    Can,
    contact_for,
    environment_for,
    organisation_for,
    principal_for,
    require,
    subscription_for,
)
from sladesk.core.exceptions import NotFound, PermissionDenied
from tests.accounts.factories import make_agent, make_contact, make_env, make_org

pytestmark = pytest.mark.django_db

# Each role may do what the one before it may, and more.
MATRIX = {
    "support_engineer": {Can.READ_ALL, Can.WRITE_ENVIRONMENTS, Can.CHECK_REQUESTS},
    "senior_support_engineer": {
        Can.READ_ALL,
        Can.WRITE_ENVIRONMENTS,
        Can.CHECK_REQUESTS,
        Can.WRITE_CONTACTS,
    },
    "support_manager": {
        Can.READ_ALL,
        Can.WRITE_ENVIRONMENTS,
        Can.CHECK_REQUESTS,
        Can.WRITE_CONTACTS,
        Can.WRITE_ORGANISATIONS,
        Can.WRITE_SUBSCRIPTIONS,
        Can.ISSUE_TOKENS,
        Can.READ_AUDIT,
    },
    "administrator": set(Can),
}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("action", list(Can))
def test_role_permissions(role, action):
    who = principal_for(make_agent(role).user)
    assert who.can(action) is (action in MATRIX[role])
    if action not in MATRIX[role]:
        with pytest.raises(PermissionDenied) as denied:
            require(who, action)
        assert denied.value.code == "permission_denied"


@pytest.mark.parametrize("action", list(Can))
def test_a_contact_has_no_agent_permission(action):
    maria = make_contact(make_org("Acme", domains=["acme.example"]), "maria")
    assert principal_for(maria.user).can(action) is False


def test_a_superuser_without_an_agent_profile_is_an_administrator(django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="x")
    assert principal_for(root).role == "administrator"


def test_unknown_and_inactive_users_are_nobody(django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody@example.net")
    assert principal_for(nobody) is None
    agent = make_agent()
    agent.user.is_active = False
    assert principal_for(agent.user) is None


def test_a_contact_sees_their_organisation_and_nothing_else():
    acme, globex = (
        make_org("Acme", domains=["acme.example"]),
        make_org("Globex", domains=["globex.example"]),
    )
    maria, hans = make_contact(acme, "maria"), make_contact(globex, "hans")
    ours, theirs = make_env(acme), make_env(globex)
    who = principal_for(maria.user)
    assert organisation_for(who, acme.pk) == acme
    assert contact_for(who, maria.pk) == maria
    assert environment_for(who, ours.pk) == ours
    assert subscription_for(who, acme.subscriptions.get().pk).organisation == acme
    for lookup, pk in [
        (organisation_for, globex.pk),
        (contact_for, hans.pk),
        (environment_for, theirs.pk),
        (subscription_for, globex.subscriptions.get().pk),
    ]:
        with pytest.raises(NotFound) as hidden:
            lookup(who, pk)
        assert hidden.value.code == "not_found"
        assert "Globex" not in hidden.value.message


def test_agents_see_every_organisation():
    globex = make_org("Globex", domains=["globex.example"])
    assert organisation_for(principal_for(make_agent().user), globex.pk) == globex
