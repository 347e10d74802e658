"""API tokens: list and revoke your own; create one for yourself (or, managers, for anyone)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Schema, Status

from sladesk.accounts.access import Can, require, require_scope, token_for
from sladesk.accounts.models import ApiToken
from sladesk.accounts.rules import normalise_email
from sladesk.accounts.services import api_token_create, api_token_revoke
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.pagination import DEFAULT_LIMIT, paginate
from sladesk.api.schemas import ERRORS, InputSchema, refuse_unknown_query
from sladesk.core.exceptions import NotFound, PermissionDenied

router = Router(tags=["tokens"], auth=token_auth)


class TokenOut(Schema):
    id: int
    user_email: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str  # shown once: store it now


class TokenPage(Schema):
    items: list[TokenOut]
    next_cursor: str | None


class TokenIn(InputSchema):
    name: str = ""
    scopes: list[str] = ["read"]
    expires_at: dt.datetime | None = None
    email: str | None = None  # for someone else (support managers, administrators)


def token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        user_email=token.user.email or token.user.get_username(),
        name=token.name,
        prefix=token.prefix,
        scopes=sorted(token.scope_set),
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get("/tokens", response={200: TokenPage, **ERRORS})
def list_tokens(
    request: HttpRequest, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> TokenPage:
    """List your own tokens (secrets are never shown again)."""
    refuse_unknown_query(request, "cursor", "limit")
    who = principal(request)
    qs = ApiToken.objects.filter(user=who.user).select_related("user")
    rows, next_cursor = paginate(qs, cursor=cursor, limit=limit)
    return TokenPage(items=[token_out(t) for t in rows], next_cursor=next_cursor)


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    """Create a token; its secret is in this answer only. A token cannot grant more than it has."""
    who = principal(request)
    require_scope(who, "write")
    user = who.user
    if payload.email is not None:
        require(who, Can.ISSUE_TOKENS)
        address = normalise_email(payload.email)
        found = get_user_model().objects.filter(username=address).first()
        if found is None:
            raise NotFound(f"no user {address}", code="user_not_found")
        user = found
    elif not set(payload.scopes) <= who.scopes:
        raise PermissionDenied(
            "a token cannot create a token with more scopes than its own", code="scope_missing"
        )
    token, secret = api_token_create(
        user=user,
        actor=actor(request),
        name=payload.name,
        scopes=payload.scopes,
        expires_at=payload.expires_at,
    )
    return Status(201, TokenCreatedOut(**token_out(token).dict(), token=secret))


@router.delete("/tokens/{token_id}", response={200: TokenOut, **ERRORS})
def revoke_token(request: HttpRequest, token_id: int) -> TokenOut:
    """Revoke a token (yours; managers and administrators: anyone's)."""
    who = principal(request)
    token = token_for(who, token_id)
    require_scope(who, "write")
    return token_out(api_token_revoke(token=token, actor=actor(request)))
