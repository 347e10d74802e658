"""Organisations: agents read all (managers write); a contact reads their own."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from sladesk.accounts.access import Can, organisation_for, require, require_scope
from sladesk.accounts.models import Organisation
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.selectors import (
    contact_list,
    environment_list,
    organisation_list,
    subscription_valid_on,
)
from sladesk.accounts.services import organisation_create, organisation_update
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.pagination import DEFAULT_LIMIT, paginate
from sladesk.api.schemas import ERRORS, InputSchema, refuse_unknown_query
from sladesk.core import time

router = Router(tags=["organisations"], auth=token_auth)


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    domains: list[str]
    time_zone: str
    notes: str | None  # agents only: the vendor's internal notes
    created_at: dt.datetime


class OrganisationDetailOut(OrganisationOut):
    plan_id: str | None
    subscription_id: int | None
    subscription_valid_until: dt.date | None
    contact_count: int
    named_contact_count: int
    environment_count: int


class OrganisationPage(Schema):
    items: list[OrganisationOut]
    next_cursor: str | None


class OrganisationIn(InputSchema):
    name: str
    domains: list[str]
    time_zone: str = "UTC"
    notes: str = ""
    slug: str = ""


class OrganisationPatch(InputSchema):
    name: str | None = None
    domains: list[str] | None = None
    time_zone: str | None = None
    notes: str | None = None


def organisation_out(organisation: Organisation, *, internal: bool) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.pk,
        name=organisation.name,
        slug=organisation.slug,
        domains=sorted(d.domain for d in organisation.domains.all()),
        time_zone=organisation.time_zone,
        notes=organisation.notes if internal else None,
        created_at=organisation.created_at,
    )


def organisation_detail(organisation: Organisation, *, internal: bool) -> OrganisationDetailOut:
    today = desk_date(at=time.now(), policy=current_policy())
    subscription = subscription_valid_on(organisation=organisation, day=today)
    contacts = contact_list(organisation=organisation)
    return OrganisationDetailOut(
        **organisation_out(organisation, internal=internal).dict(),
        plan_id=subscription.plan_id if subscription else None,
        subscription_id=subscription.pk if subscription else None,
        subscription_valid_until=subscription.last_covered_day if subscription else None,
        contact_count=contacts.count(),
        named_contact_count=contacts.filter(named=True).count(),
        environment_count=environment_list(organisation=organisation).count(),
    )


@router.get("/organisations", response={200: OrganisationPage, **ERRORS})
def list_organisations(
    request: HttpRequest, search: str = "", cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> OrganisationPage:
    """List organisations (a contact sees only their own)."""
    refuse_unknown_query(request, "search", "cursor", "limit")
    who = principal(request)
    qs = organisation_list(search=search)
    if not who.can(Can.READ_ALL):
        qs = qs.filter(pk=who.organisation_id) if who.organisation_id is not None else qs.none()
    rows, next_cursor = paginate(qs, cursor=cursor, limit=limit)
    return OrganisationPage(
        items=[organisation_out(o, internal=who.is_agent) for o in rows], next_cursor=next_cursor
    )


@router.post("/organisations", response={201: OrganisationDetailOut, **ERRORS})
def create_organisation(
    request: HttpRequest, payload: OrganisationIn
) -> Status[OrganisationDetailOut]:
    """Create an organisation with its company domains (support managers, administrators)."""
    who = principal(request)
    require(who, Can.WRITE_ORGANISATIONS)
    require_scope(who, "write")
    organisation = organisation_create(
        name=payload.name,
        domains=payload.domains,
        time_zone=payload.time_zone,
        notes=payload.notes,
        slug=payload.slug,
        actor=actor(request),
    )
    return Status(201, organisation_detail(organisation, internal=True))


@router.get("/organisations/{organisation_id}", response={200: OrganisationDetailOut, **ERRORS})
def get_organisation(request: HttpRequest, organisation_id: int) -> OrganisationDetailOut:
    """Show one organisation with its current plan and counts."""
    who = principal(request)
    return organisation_detail(organisation_for(who, organisation_id), internal=who.is_agent)


@router.patch("/organisations/{organisation_id}", response={200: OrganisationDetailOut, **ERRORS})
def update_organisation(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> OrganisationDetailOut:
    """Change name, domains, time zone or notes (support managers, administrators)."""
    who = principal(request)
    organisation = organisation_for(who, organisation_id)
    require(who, Can.WRITE_ORGANISATIONS)
    require_scope(who, "write")
    organisation = organisation_update(
        organisation=organisation, actor=actor(request), **payload.dict(exclude_unset=True)
    )
    return organisation_detail(organisation, internal=True)
