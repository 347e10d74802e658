"""The accounts models, one module per entity (re-exported here)."""

from __future__ import annotations

from sladesk.accounts.models.agent import Agent, Team
from sladesk.accounts.models.audit import AppendOnlyError, AuditLog
from sladesk.accounts.models.contact import Contact
from sladesk.accounts.models.environment import Environment
from sladesk.accounts.models.organisation import Organisation, OrganisationDomain
from sladesk.accounts.models.release import Release
from sladesk.accounts.models.subscription import Subscription
from sladesk.accounts.models.token import ApiToken, SignInLink

__all__ = [
    "Agent",
    "ApiToken",
    "AppendOnlyError",
    "AuditLog",
    "Contact",
    "Environment",
    "Organisation",
    "OrganisationDomain",
    "Release",
    "SignInLink",
    "Subscription",
    "Team",
]
