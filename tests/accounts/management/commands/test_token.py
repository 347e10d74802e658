"""``sladesk token create|list|revoke``."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import ApiToken
from sladesk.accounts.services import api_token_authenticate
from tests.accounts.factories import make_contact, make_org

pytestmark = pytest.mark.django_db


def test_token_create_prints_the_secret_once_on_stdout(sladesk):
    maria = make_contact(make_org("Acme", domains=["acme.example"]), "maria")
    ran = sladesk(
        "token",
        "create",
        "--email",
        "MARIA@acme.example",
        "--name",
        "ci",
        "--scope",
        "write",
        "--expires-days",
        "30",
    )
    secret = ran.out.strip()
    assert api_token_authenticate(secret=secret).user == maria.user
    assert "shown once, store it now" in ran.err
    token = ApiToken.objects.get()
    assert token.scopes == "read write" and token.expires_at is not None
    assert secret not in sladesk("token", "list", "--email", "maria@acme.example").out
    sladesk("token", "revoke", str(token.pk))
    assert api_token_authenticate(secret=secret) is None


def test_token_for_nobody(refused):
    assert (
        refused("token", "create", "--email", "ghost@acme.example")
        == "no agent or contact ghost@acme.example [user_not_found]"
    )
