"""Passwordless sign-in for contacts: a signed, expiring, single-use link sent by e-mail."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import SignInLink
from sladesk.accounts.rules import normalise_email
from sladesk.accounts.selectors import contact_active_by_email
from sladesk.accounts.services.audit import audit_record
from sladesk.core import time
from sladesk.core.exceptions import DeskError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

SALT = "sladesk.accounts.sign-in-link"
DEFAULT_MINUTES = 15
MAX_LINKS_PER_HOUR = 5


class SignInLinkRefused(DeskError):
    """The link cannot sign anyone in (invalid, expired or already used)."""

    code = "sign_in_link_invalid"
    status = 400


def link_lifetime() -> dt.timedelta:
    """Return how long a link stays valid (``SLADESK_SIGN_IN_LINK_MINUTES``, default 15)."""
    return dt.timedelta(
        minutes=int(getattr(settings, "SLADESK_SIGN_IN_LINK_MINUTES", DEFAULT_MINUTES))
    )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def sign_in_link_send(
    *, email: str, build_url: Callable[[str], str], now: dt.datetime | None = None
) -> bool:
    """E-mail a sign-in link to the contact with this address; return whether one was sent.

    Callers must answer the same whatever this returns (no way to probe for contacts).
    Only active contacts get links; at most five an hour per contact.
    """
    now = now or time.now()
    try:
        address = normalise_email(email)
    except DeskError:
        return False
    contact = contact_active_by_email(address)
    if contact is None or not contact.user.is_active:
        return False
    recent = SignInLink.objects.filter(
        user=contact.user, created_at__gt=now - dt.timedelta(hours=1)
    ).count()
    if recent >= MAX_LINKS_PER_HOUR:
        logger.warning("sign-in link throttled for contact %s", contact.pk)
        return False
    secret = secrets.token_urlsafe(32)
    lifetime = link_lifetime()
    link = SignInLink.objects.create(
        user=contact.user, secret_hash=_hash(secret), created_at=now, expires_at=now + lifetime
    )
    token = signing.dumps({"l": link.pk, "s": secret}, salt=SALT, compress=True)
    url = build_url(token)
    minutes = int(lifetime.total_seconds() // 60)
    body = (
        f"Hello {contact.name},\n\n"
        f"use this link to sign in to the {contact.organisation.name} support desk. It works once, "
        f"within {minutes} minutes:\n\n{url}\n\n"
        "If you did not ask for it, ignore this message; nobody can sign in without the link.\n"
    )
    transaction.on_commit(
        lambda: send_mail("Your sign-in link", body, None, [contact.email], fail_silently=False)
    )
    audit_record(
        actor=Actor(user=contact.user, via="web", label=contact.email),
        action="contact.sign_in_link_sent",
        obj=link,
        organisation=contact.organisation,
        summary=f"sent a sign-in link to {contact.email} (valid {minutes} min)",
        at=now,
    )
    return True


@transaction.atomic
def sign_in_link_redeem(*, token: str, now: dt.datetime | None = None) -> User:
    """Use a sign-in link once; return the user to sign in or refuse with the reason."""
    now = now or time.now()
    lifetime = link_lifetime()
    try:
        payload = signing.loads(token, salt=SALT, max_age=lifetime)
    except signing.SignatureExpired:
        raise SignInLinkRefused(
            "this sign-in link has expired; ask for a new one", code="sign_in_link_expired"
        ) from None
    except signing.BadSignature:
        raise SignInLinkRefused("this sign-in link is not valid; ask for a new one") from None
    link = (
        SignInLink.objects.select_for_update()
        .select_related("user")
        .filter(pk=payload.get("l"), secret_hash=_hash(str(payload.get("s", ""))))
        .first()
    )
    if link is None:
        raise SignInLinkRefused("this sign-in link is not valid; ask for a new one")
    if link.used_at is not None:
        raise SignInLinkRefused(
            "this sign-in link was already used; ask for a new one", code="sign_in_link_used"
        )
    if now >= link.expires_at:
        raise SignInLinkRefused(
            "this sign-in link has expired; ask for a new one", code="sign_in_link_expired"
        )
    contact = contact_active_by_email(link.user.email)
    if contact is None or not link.user.is_active or contact.user_id != link.user_id:
        raise SignInLinkRefused("this account can no longer sign in", code="sign_in_link_invalid")
    link.used_at = now
    link.save(update_fields=["used_at"])
    audit_record(
        actor=Actor(user=link.user, via="web", label=contact.email),
        action="contact.sign_in_link_used",
        obj=link,
        organisation=contact.organisation,
        summary=f"{contact.email} signed in with an e-mail link",
        at=now,
    )
    return link.user
