"""Who may see and do what: the one chokepoint for accounts objects.

Interfaces (API, web, admin) resolve the signed-in user to a ``Principal`` and then ask
here; services do not check permissions (the CLI is an operator with shell access).
Invisible objects are reported as not found, never as forbidden, so ids of other
organisations reveal nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from sladesk.accounts.models import (
    Agent,
    ApiToken,
    Contact,
    Environment,
    Organisation,
    Subscription,
)
from sladesk.accounts.selectors import contact_active_for_user
from sladesk.core.exceptions import NotFound, PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class Can(StrEnum):
    """Actions guarded by role."""

    READ_ALL = "read_all"  # every organisation's accounts data
    WRITE_ENVIRONMENTS = "write_environments"
    WRITE_CONTACTS = "write_contacts"
    WRITE_ORGANISATIONS = "write_organisations"
    WRITE_SUBSCRIPTIONS = "write_subscriptions"
    ISSUE_TOKENS = "issue_tokens"  # for other people
    READ_AUDIT = "read_audit"
    CHECK_REQUESTS = "check_requests"  # ask the door about anyone
    WRITE_RELEASES = "write_releases"
    MANAGE_AGENTS = "manage_agents"


_ENGINEER = frozenset({Can.READ_ALL, Can.WRITE_ENVIRONMENTS, Can.CHECK_REQUESTS})
_SENIOR = _ENGINEER | {Can.WRITE_CONTACTS}
_MANAGER = _SENIOR | {
    Can.WRITE_ORGANISATIONS,
    Can.WRITE_SUBSCRIPTIONS,
    Can.ISSUE_TOKENS,
    Can.READ_AUDIT,
}
_ADMINISTRATOR = frozenset(Can)

#: What each agent role may do (each role includes the one before it).
ROLE_PERMISSIONS: dict[str, frozenset[Can]] = {
    Agent.Role.SUPPORT_ENGINEER: _ENGINEER,
    Agent.Role.SENIOR_SUPPORT_ENGINEER: _SENIOR,
    Agent.Role.SUPPORT_MANAGER: _MANAGER,
    Agent.Role.ADMINISTRATOR: _ADMINISTRATOR,
}


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user as the desk sees them: an agent with a role, or a contact."""

    user: User
    role: str | None = None
    contact: Contact | None = None
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({"read", "write"}))
    token: ApiToken | None = None

    @property
    def is_agent(self) -> bool:
        return self.role is not None

    @property
    def organisation_id(self) -> int | None:
        """Return the contact's organisation id (``None`` for agents)."""
        return self.contact.organisation_id if self.contact is not None else None

    def can(self, action: Can) -> bool:
        """Return whether the principal's role allows ``action``."""
        return self.role is not None and action in ROLE_PERMISSIONS.get(self.role, frozenset())


class _Unread(enum.Enum):
    UNREAD = "unread"


#: ``principal_for(contact=...)`` default: the contact registration is not known yet.
UNREAD = _Unread.UNREAD


def principal_for(
    user: User | AnonymousUser,
    *,
    token: ApiToken | None = None,
    contact: Contact | None | _Unread = UNREAD,
) -> Principal | None:
    """Return the principal for an active user, or ``None`` if the desk does not know them.

    ``contact`` is the user's active contact registration when the caller has already
    read it (``api_token_authenticate`` does, with the token), else it is read here.
    """
    if not user.is_authenticated or not user.is_active or user.pk is None:
        return None
    scopes = token.scope_set if token is not None else frozenset({"read", "write"})
    try:
        agent: Agent | None = user.agent  # read with the user when the caller joined it
    except Agent.DoesNotExist:
        agent = None
    if agent is not None:
        return Principal(user=user, role=agent.role, scopes=scopes, token=token)
    if user.is_superuser:  # e.g. made with createsuperuser: treated as an administrator
        return Principal(user=user, role=Agent.Role.ADMINISTRATOR, scopes=scopes, token=token)
    if contact is UNREAD:
        contact = contact_active_for_user(int(user.pk))
    if contact is not None:
        return Principal(user=user, contact=contact, scopes=scopes, token=token)
    return None


def require(principal: Principal, action: Can) -> None:
    """Refuse with ``permission_denied`` unless the principal's role allows ``action``."""
    if not principal.can(action):
        who = principal.role.replace("_", " ") if principal.role else "a contact"
        raise PermissionDenied(
            f"{who} may not {action.value.replace('_', ' ')}",
            code="permission_denied",
            details={"needs": action.value},
        )


def require_scope(principal: Principal, scope: str) -> None:
    """Refuse with ``scope_missing`` when the token lacks ``scope`` (``read``, ``write``)."""
    if scope not in principal.scopes:
        raise PermissionDenied(
            f"this token lacks the {scope!r} scope", code="scope_missing", details={"needs": scope}
        )


def _not_found(kind: str, ref: object) -> NotFound:
    return NotFound(f"no {kind} {ref}", code="not_found", details={"type": kind, "id": str(ref)})


def organisation_for(principal: Principal, organisation_id: int) -> Organisation:
    """Return the organisation if the principal may see it, else ``not_found``."""
    organisation = (
        Organisation.objects.prefetch_related("domains").filter(pk=organisation_id).first()
    )
    if organisation is None:
        raise _not_found("organisation", organisation_id)
    # Agents see every organisation.
    if principal.can(Can.READ_ALL):
        return organisation
    # A contact sees only their own organisation.
    if principal.organisation_id == organisation.pk:
        return organisation
    # Anyone else: as if it did not exist.
    raise _not_found("organisation", organisation_id)


def contact_for(principal: Principal, contact_id: int) -> Contact:
    """Return the contact if the principal may see it (own organisation only for contacts)."""
    contact = Contact.objects.select_related("organisation", "user").filter(pk=contact_id).first()
    if contact is None:
        raise _not_found("contact", contact_id)
    # Agents see every contact, including removed ones (history).
    if principal.can(Can.READ_ALL):
        return contact
    # A contact sees the active contacts of their own organisation.
    if principal.organisation_id == contact.organisation_id and contact.removed_at is None:
        return contact
    raise _not_found("contact", contact_id)


def environment_for(principal: Principal, environment_id: int) -> Environment:
    """Return the environment if the principal may see it (own organisation only for contacts)."""
    environment = (
        Environment.objects.select_related("organisation").filter(pk=environment_id).first()
    )
    if environment is None:
        raise _not_found("environment", environment_id)
    # Agents see every environment.
    if principal.can(Can.READ_ALL):
        return environment
    # A contact sees their own organisation's environments.
    if principal.organisation_id == environment.organisation_id:
        return environment
    raise _not_found("environment", environment_id)


def subscription_for(principal: Principal, subscription_id: int) -> Subscription:
    """Return the subscription if the principal may see it (own organisation only for contacts)."""
    subscription = (
        Subscription.objects.select_related("organisation").filter(pk=subscription_id).first()
    )
    if subscription is None:
        raise _not_found("subscription", subscription_id)
    # Agents see every subscription.
    if principal.can(Can.READ_ALL):
        return subscription
    # A contact sees their own organisation's subscriptions.
    if principal.organisation_id == subscription.organisation_id:
        return subscription
    raise _not_found("subscription", subscription_id)


def token_for(principal: Principal, token_id: int) -> ApiToken:
    """Return an API token the principal owns, or (for token issuers) anyone's."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise _not_found("token", token_id)
    # Everyone manages their own tokens.
    if token.user_id == principal.user.pk:
        return token
    # Managers and administrators manage everyone's.
    if principal.can(Can.ISSUE_TOKENS):
        return token
    raise _not_found("token", token_id)
