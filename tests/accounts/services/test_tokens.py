"""API tokens: hashed at rest, shown once, revocable, scoped, with last use."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from sladesk.accounts.models import ApiToken
from sladesk.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from sladesk.core.exceptions import DeskError
from tests.accounts.factories import CLI, NOW, make_agent, make_contact, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria():
    return make_contact(make_org("Acme", domains=["acme.example"], plan="premier"), "maria")


def test_only_a_hash_of_the_token_is_stored(maria):
    token, secret = api_token_create(user=maria.user, name="ci", actor=CLI, now=NOW)
    assert secret.startswith("sld_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.prefix, stored.token_hash, stored.name}
    assert stored.prefix == secret[:10]
    assert stored.scopes == "read"


def test_a_token_authenticates_and_records_its_last_use_once_a_minute(maria):
    token, secret = api_token_create(user=maria.user, actor=CLI, now=NOW)
    assert api_token_authenticate(secret=secret, now=NOW) == token
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW
    api_token_authenticate(secret=secret, now=NOW + dt.timedelta(seconds=30))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW
    api_token_authenticate(secret=secret, now=NOW + dt.timedelta(minutes=2))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW + dt.timedelta(minutes=2)


def test_a_revoked_token_no_longer_authenticates(maria):
    token, secret = api_token_create(user=maria.user, actor=CLI, now=NOW)
    api_token_revoke(token=token, actor=CLI, now=NOW)
    assert api_token_authenticate(secret=secret, now=NOW) is None
    with pytest.raises(DeskError) as refused:
        api_token_revoke(token=token, actor=CLI)
    assert refused.value.code == "token_already_revoked"


def test_an_expired_token_no_longer_authenticates(maria):
    _, secret = api_token_create(
        user=maria.user, expires_at=NOW + dt.timedelta(days=1), actor=CLI, now=NOW
    )
    assert api_token_authenticate(secret=secret, now=NOW + dt.timedelta(hours=23)) is not None
    assert api_token_authenticate(secret=secret, now=NOW + dt.timedelta(days=1)) is None


def test_guesses_do_not_authenticate(maria):
    api_token_create(user=maria.user, actor=CLI, now=NOW)
    assert api_token_authenticate(secret="sld_guess", now=NOW) is None
    assert api_token_authenticate(secret="not-ours", now=NOW) is None


def test_write_implies_read_and_unknown_scopes_are_refused(maria):
    token, _ = api_token_create(user=maria.user, scopes=["write"], actor=CLI, now=NOW)
    assert token.scope_set == {"read", "write"}
    with pytest.raises(DeskError) as refused:
        api_token_create(user=maria.user, scopes=["admin"], actor=CLI, now=NOW)
    assert refused.value.code == "unknown_scope"


def test_tokens_are_for_agents_and_active_contacts_only(maria):
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user(username="x@example.net")
    with pytest.raises(DeskError) as refused:
        api_token_create(user=stranger, actor=CLI)
    assert refused.value.code == "no_desk_role"
    agent = make_agent()
    assert api_token_create(user=agent.user, actor=CLI)[0].user == agent.user


def test_an_expiry_in_the_past_is_refused(maria):
    with pytest.raises(DeskError) as refused:
        api_token_create(user=maria.user, expires_at=NOW - dt.timedelta(days=1), actor=CLI, now=NOW)
    assert refused.value.code == "invalid_expiry"
