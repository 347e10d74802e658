"""Every write of the accounts app (one service per change, ``<entity>_<verb>``)."""

from __future__ import annotations

from sladesk.accounts.services.agents import (
    agent_add,
    agent_check,
    agent_update,
    team_create,
    team_update,
    user_password_set,
)
from sladesk.accounts.services.audit import audit_record
from sladesk.accounts.services.contacts import (
    contact_add,
    contact_remove,
    contact_replace,
    contact_update,
)
from sladesk.accounts.services.environments import (
    EnvironmentInput,
    environment_add,
    environment_retire,
    environment_update,
)
from sladesk.accounts.services.imports import organisations_csv_parse, organisations_import
from sladesk.accounts.services.organisations import organisation_create, organisation_update
from sladesk.accounts.services.releases import (
    ReleaseSpec,
    release_catalogue_load,
    release_file_parse,
    release_remove,
    release_save,
)
from sladesk.accounts.services.signin import sign_in_link_redeem, sign_in_link_send
from sladesk.accounts.services.subscriptions import (
    subscription_add,
    subscription_cancel,
    subscription_change_plan,
    subscription_renew,
)
from sladesk.accounts.services.tokens import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

__all__ = [
    "EnvironmentInput",
    "ReleaseSpec",
    "agent_add",
    "agent_check",
    "agent_update",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "audit_record",
    "contact_add",
    "contact_remove",
    "contact_replace",
    "contact_update",
    "environment_add",
    "environment_retire",
    "environment_update",
    "organisation_create",
    "organisation_update",
    "organisations_csv_parse",
    "organisations_import",
    "release_catalogue_load",
    "release_file_parse",
    "release_remove",
    "release_save",
    "sign_in_link_redeem",
    "sign_in_link_send",
    "subscription_add",
    "subscription_cancel",
    "subscription_change_plan",
    "subscription_renew",
    "team_create",
    "team_update",
    "user_password_set",
]
