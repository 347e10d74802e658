"""API tokens: created (secret shown once), authenticated by hash, revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Agent, ApiToken, Contact, Organisation
from sladesk.accounts.selectors import token_live_by_hash
from sladesk.accounts.services.audit import audit_record
from sladesk.core import time
from sladesk.core.exceptions import Conflict, ValidationFailed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOKEN_PREFIX = "sld_"
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(secret: str) -> str:
    """Return the SHA-256 hex digest stored for ``secret``.

    Tokens are 256 random bits, so a fast hash is enough: there is nothing to guess.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def _scopes(scopes: Iterable[str]) -> str:
    wanted = {s.strip().lower() for s in scopes if s.strip()} or {ApiToken.Scope.READ}
    unknown = sorted(wanted - set(ApiToken.Scope.values))
    if unknown:
        raise ValidationFailed(
            f"unknown scope(s): {', '.join(unknown)} (use read, write)",
            code="unknown_scope",
            details={"scopes": unknown},
        )
    if ApiToken.Scope.WRITE in wanted:
        wanted.add(ApiToken.Scope.READ)
    return " ".join(sorted(wanted))


def api_token_check(*, user: User) -> None:
    """Refuse tokens for users who are neither an agent nor an active contact."""
    if not user.is_active:
        raise Conflict(f"{user.get_username()} may not sign in (inactive)", code="user_inactive")
    is_agent = Agent.objects.filter(user=user).exists() or user.is_superuser
    if not is_agent and not Contact.objects.active().filter(user=user).exists():
        raise Conflict(
            f"{user.get_username()} is neither an agent nor a contact", code="no_desk_role"
        )


@transaction.atomic
def api_token_create(
    *,
    user: User,
    actor: Actor,
    name: str = "",
    scopes: Iterable[str] = ("read",),
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and the secret, which is never shown again."""
    now = now or time.now()
    api_token_check(user=user)
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed("the expiry must be in the future", code="invalid_expiry")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:120],
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=token_hash(secret),
        scopes=_scopes(scopes),
        created_at=now,
        created_by=actor.user,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="token.create",
        obj=token,
        organisation=_organisation_of(user),
        summary=f"created API token {token.prefix}… ({token.scopes}) for {user.get_username()}",
        changes={"scopes": token.scopes, "expires_at": expires_at, "name": token.name},
        at=now,
    )
    return token, secret


def _organisation_of(user: User) -> Organisation | None:
    contact = Contact.objects.active().filter(user=user).select_related("organisation").first()
    return contact.organisation if contact is not None else None


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor, now: dt.datetime | None = None) -> ApiToken:
    """Revoke a token; requests with it are refused from now on."""
    now = now or time.now()
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        raise Conflict(f"token {token.prefix}… is already revoked", code="token_already_revoked")
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="token.revoke",
        obj=token,
        organisation=_organisation_of(token.user),
        summary=f"revoked API token {token.prefix}… of {token.user.get_username()}",
        at=now,
    )
    return token


def api_token_authenticate(*, secret: str, now: dt.datetime | None = None) -> ApiToken | None:
    """Return the live token for ``secret`` (recording its use), or ``None``.

    ``last_used_at`` is written at most once a minute per token. The token comes with
    its user, the user's agent profile and active contact registration
    (``token.active_contact``), all in one query.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = now or time.now()
    token = token_live_by_hash(token_hash(secret), now=now)
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
