"""Sign in with an e-mail address in any letter case (agents' and contacts' user names)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class EmailBackend(ModelBackend):
    """Django's model backend, also trying the lower-cased address.

    Agents and contacts are users named by their lower-case e-mail, so ``Maria@Acme.com``
    signs in as ``maria@acme.com``. A user name as typed is tried first (superusers made
    with ``createsuperuser`` keep theirs).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username and username.strip().lower() != username:
            user = super().authenticate(
                request, username=username.strip().lower(), password=password, **kwargs
            )
        return user
