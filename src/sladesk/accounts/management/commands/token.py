"""``sladesk token create|list|revoke``: REST API tokens (the secret is shown once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser

from sladesk.accounts.management.base import DeskCommand
from sladesk.accounts.models import ApiToken
from sladesk.accounts.rules import normalise_email
from sladesk.accounts.services import api_token_create, api_token_revoke
from sladesk.core import time
from sladesk.core.exceptions import NotFound


def _user(email: str) -> Any:
    address = normalise_email(email)
    user = get_user_model().objects.filter(username=address).first()
    if user is None:
        raise NotFound(f"no agent or contact {address}", code="user_not_found")
    return user


class Command(DeskCommand):
    help = (
        "Manage REST API tokens. `token create --email E` prints a new token once: store it, it "
        "cannot be shown again (only its SHA-256 is kept). Use it as `Authorization: Bearer <token>`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        create = actions.add_parser("create", help="create a token", description="Create a token.")
        create.add_argument("--email", required=True, help="the agent or contact it acts as")
        create.add_argument("--name", default="", help="what it is for")
        create.add_argument(
            "--scope",
            dest="scopes",
            action="append",
            choices=ApiToken.Scope.values,
            help="read (default) or write (implies read); repeatable",
        )
        create.add_argument("--expires-days", type=int, help="expire after this many days")

        lst = actions.add_parser(
            "list", help="list a user's tokens", description="List a user's tokens."
        )
        lst.add_argument("--email", required=True)

        revoke = actions.add_parser("revoke", help="revoke a token", description="Revoke a token.")
        revoke.add_argument("id", type=int)

    def do_create(self, **options: Any) -> None:
        expires = options["expires_days"]
        token, secret = api_token_create(
            user=_user(options["email"]),
            name=options["name"],
            scopes=options["scopes"] or ["read"],
            expires_at=time.now() + dt.timedelta(days=expires) if expires else None,
            actor=self.actor,
        )
        self.stdout.write(secret)
        if self.verbosity > 0:
            self.stderr.write(
                f"Token #{token.pk} ({token.scopes}) for {token.user.get_username()}: shown once, store it now."
            )

    def do_list(self, **options: Any) -> None:
        for token in ApiToken.objects.filter(user=_user(options["email"])).order_by("id"):
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            used = (
                f"last used {token.last_used_at:%Y-%m-%d %H:%M}"
                if token.last_used_at
                else "never used"
            )
            self.stdout.write(
                f"{token.pk:>5}  {token.prefix}…  {token.scopes:<10} {state}, {used}  {token.name}"
            )

    def do_revoke(self, **options: Any) -> None:
        token = ApiToken.objects.filter(pk=options["id"]).first()
        if token is None:
            raise NotFound(f"no token {options['id']}", code="token_not_found")
        api_token_revoke(token=token, actor=self.actor)
        self.say(f"Revoked token {token.prefix}….")
