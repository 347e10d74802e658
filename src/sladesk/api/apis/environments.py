"""Environments: support engineers and up write; a contact reads their organisation's."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields as dataclass_fields

from django.http import HttpRequest
from ninja import Router, Schema, Status

from sladesk.accounts.access import Can, environment_for, organisation_for, require, require_scope
from sladesk.accounts.models import Environment
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.releases import CatalogueEntry, support_status
from sladesk.accounts.selectors import environment_list, release_catalogue
from sladesk.accounts.services import (
    EnvironmentInput,
    environment_add,
    environment_retire,
    environment_update,
)
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.pagination import DEFAULT_LIMIT, paginate
from sladesk.api.schemas import ERRORS, InputSchema
from sladesk.core import time

router = Router(tags=["environments"], auth=token_auth)


class ReleaseStatusOut(Schema):
    supported: bool | None
    code: str
    message: str


class EnvironmentOut(Schema):
    id: int
    organisation_id: int
    name: str
    is_production: bool
    version: str
    edition: str
    database_type: str
    database_version: str
    os: str
    deployment_type: str
    cluster_size: int
    user_count: int | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
    retired_at: dt.datetime | None
    release_status: ReleaseStatusOut


class EnvironmentPage(Schema):
    items: list[EnvironmentOut]
    next_cursor: str | None


class EnvironmentIn(InputSchema):
    name: str
    is_production: bool
    version: str
    edition: str = Environment.Edition.ENTERPRISE.value
    database_type: str = Environment.Database.POSTGRESQL.value
    database_version: str = ""
    os: str = ""
    deployment_type: str = Environment.Deployment.PACKAGE.value
    cluster_size: int = 1
    user_count: int | None = None
    notes: str = ""


class EnvironmentPatch(InputSchema):
    name: str | None = None
    is_production: bool | None = None
    version: str | None = None
    edition: str | None = None
    database_type: str | None = None
    database_version: str | None = None
    os: str | None = None
    deployment_type: str | None = None
    cluster_size: int | None = None
    user_count: int | None = None
    notes: str | None = None


class _Release:
    """The release rule evaluated once per request (one catalogue query for a whole page)."""

    def __init__(self) -> None:
        policy = current_policy()
        self.catalogue: list[CatalogueEntry] = release_catalogue()
        self.rule = policy.releases
        self.day = desk_date(at=time.now(), policy=policy)

    def status(self, version: str) -> ReleaseStatusOut:
        found = support_status(
            version_text=version,
            catalogue=self.catalogue,
            rule=self.rule.rule,
            extended_support_until_end=self.rule.extended_support_until_end,
            on=self.day,
        )
        return ReleaseStatusOut(supported=found.supported, code=found.code, message=found.message)


def environment_out(environment: Environment, release: _Release) -> EnvironmentOut:
    return EnvironmentOut(
        id=environment.pk,
        organisation_id=environment.organisation_id,
        **{f.name: getattr(environment, f.name) for f in dataclass_fields(EnvironmentInput)},
        created_at=environment.created_at,
        updated_at=environment.updated_at,
        retired_at=environment.retired_at,
        release_status=release.status(environment.version),
    )


@router.get(
    "/organisations/{organisation_id}/environments", response={200: EnvironmentPage, **ERRORS}
)
def list_environments(
    request: HttpRequest,
    organisation_id: int,
    *,
    include_retired: bool = False,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> EnvironmentPage:
    """List an organisation's environments, each with whether its release is supported."""
    organisation = organisation_for(principal(request), organisation_id)
    qs = environment_list(organisation=organisation, include_retired=include_retired)
    rows, next_cursor = paginate(qs, cursor=cursor, limit=limit)
    release = _Release()
    return EnvironmentPage(
        items=[environment_out(e, release) for e in rows], next_cursor=next_cursor
    )


@router.post(
    "/organisations/{organisation_id}/environments", response={201: EnvironmentOut, **ERRORS}
)
def add_environment(
    request: HttpRequest, organisation_id: int, payload: EnvironmentIn
) -> Status[EnvironmentOut]:
    """Register an environment (Premier: at most 4 non-production ones)."""
    who = principal(request)
    organisation = organisation_for(who, organisation_id)
    require(who, Can.WRITE_ENVIRONMENTS)
    require_scope(who, "write")
    environment = environment_add(
        organisation=organisation, data=EnvironmentInput(**payload.dict()), actor=actor(request)
    )
    return Status(201, environment_out(environment, _Release()))


@router.get("/environments/{environment_id}", response={200: EnvironmentOut, **ERRORS})
def get_environment(request: HttpRequest, environment_id: int) -> EnvironmentOut:
    """Show one environment."""
    return environment_out(environment_for(principal(request), environment_id), _Release())


@router.patch("/environments/{environment_id}", response={200: EnvironmentOut, **ERRORS})
def update_environment(
    request: HttpRequest, environment_id: int, payload: EnvironmentPatch
) -> EnvironmentOut:
    """Change an environment (e.g. after an upgrade: its version)."""
    who = principal(request)
    environment = environment_for(who, environment_id)
    require(who, Can.WRITE_ENVIRONMENTS)
    require_scope(who, "write")
    changes = {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if v is not None or k == "user_count"
    }
    environment = environment_update(environment=environment, actor=actor(request), changes=changes)
    return environment_out(environment, _Release())


@router.delete("/environments/{environment_id}", response={200: EnvironmentOut, **ERRORS})
def retire_environment(request: HttpRequest, environment_id: int) -> EnvironmentOut:
    """Retire an environment (kept as history; frees a non-production licence)."""
    who = principal(request)
    environment = environment_for(who, environment_id)
    require(who, Can.WRITE_ENVIRONMENTS)
    require_scope(who, "write")
    return environment_out(
        environment_retire(environment=environment, actor=actor(request)), _Release()
    )
