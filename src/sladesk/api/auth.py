"""Bearer-token authentication: ``Authorization: Bearer <token>`` -> a ``Principal``."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from sladesk.accounts.access import Principal, principal_for
from sladesk.accounts.actor import Actor
from sladesk.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """Accept sladesk API tokens (``sld_...``); anything else is 401 ``unauthenticated``."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        found = api_token_authenticate(secret=token.strip())
        if found is None:
            return None
        return principal_for(found.user, token=found, contact=found.active_contact)


token_auth = TokenAuth()


def principal(request: HttpRequest) -> Principal:
    """Return the authenticated principal of an API request."""
    return cast(Principal, request.auth)  # type: ignore[attr-defined]


def actor(request: HttpRequest) -> Actor:
    """Return the audit actor for an API request (the user, and which token)."""
    who = principal(request)
    label = who.user.get_username()
    if who.token is not None:
        label += f" (token {who.token.prefix}…)"
    return Actor(user=who.user, via="api", label=label)
