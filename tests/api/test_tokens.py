"""/api/tokens: your own tokens; managers issue them for others."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import ApiToken
from tests.accounts.factories import make_agent, make_contact, make_org, make_token
from tests.api.conftest import Api, error

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria():
    return make_contact(make_org("Acme", domains=["acme.example"]), "maria")


def test_a_contact_creates_lists_and_revokes_their_own_tokens(client, api_as, maria):
    me = api_as(maria.user)
    created = me.post("/tokens", {"name": "script", "scopes": ["read"]})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert Api(client, secret).get("/me").json()["email"] == maria.email
    listed = me.get("/tokens").json()["items"]
    assert len(listed) == 2 and all("token" not in t for t in listed)
    assert me.delete(f"/tokens/{created.json()['id']}").json()["revoked_at"] is not None
    assert error(Api(client, secret).get("/me"), 401) == "unauthenticated"


def test_a_token_cannot_grant_more_than_it_has(api_as, maria):
    reader = api_as(maria.user, "read")
    assert (
        error(reader.post("/tokens", {"scopes": ["read"]}), 403) == "scope_missing"
    )  # creating is a write
    writer = api_as(maria.user, "write")
    assert writer.post("/tokens", {"scopes": ["write"]}).status_code == 201


def test_managers_issue_tokens_for_contacts(as_role, maria):
    response = as_role("support_manager").post(
        "/tokens", {"email": maria.email, "scopes": ["read"]}
    )
    assert response.status_code == 201 and response.json()["user_email"] == maria.email
    assert (
        error(as_role("support_engineer").post("/tokens", {"email": maria.email}), 403)
        == "permission_denied"
    )


def test_nobody_revokes_someone_else_s_token_unless_they_issue_tokens(api_as, as_role, maria):
    other = make_agent()
    make_token(other.user)
    theirs = ApiToken.objects.get(user=other.user)
    assert error(api_as(maria.user).delete(f"/tokens/{theirs.pk}"), 404) == "not_found"
    assert as_role("support_manager").delete(f"/tokens/{theirs.pk}").status_code == 200
