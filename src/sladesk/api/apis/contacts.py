"""Contacts: senior engineers and up write; a contact reads their organisation's and edits only
their own profile (name, phone, role)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from sladesk.accounts.access import Can, contact_for, organisation_for, require, require_scope
from sladesk.accounts.models import Contact
from sladesk.accounts.selectors import contact_list
from sladesk.accounts.services import contact_add, contact_remove, contact_replace, contact_update
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.pagination import DEFAULT_LIMIT, paginate
from sladesk.api.schemas import ERRORS, InputSchema, refuse_unknown_query
from sladesk.core.exceptions import PermissionDenied

router = Router(tags=["contacts"], auth=token_auth)

PROFILE_FIELDS = frozenset({"name", "phone", "role"})


class ContactOut(Schema):
    id: int
    organisation_id: int
    email: str
    name: str
    phone: str
    role: str
    named: bool
    added_at: dt.datetime
    removed_at: dt.datetime | None
    replaced_by_id: int | None


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class ContactIn(InputSchema):
    email: str
    name: str
    phone: str = ""
    role: str = ""
    named: bool | None = None  # default: as the plan says (named on Premier)


class ContactPatch(InputSchema):
    name: str | None = None
    phone: str | None = None
    role: str | None = None
    email: str | None = None  # agents only
    named: bool | None = None  # agents only


class ContactReplaceIn(InputSchema):
    email: str
    name: str
    phone: str = ""
    role: str = ""
    reason: str = ""


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut(
        id=contact.pk,
        organisation_id=contact.organisation_id,
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        role=contact.role,
        named=contact.named,
        added_at=contact.added_at,
        removed_at=contact.removed_at,
        replaced_by_id=contact.replaced_by_id,
    )


@router.get("/organisations/{organisation_id}/contacts", response={200: ContactPage, **ERRORS})
def list_contacts(
    request: HttpRequest,
    organisation_id: int,
    *,
    include_removed: bool = False,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> ContactPage:
    """List an organisation's contacts (removed ones too with ``include_removed``, agents only)."""
    refuse_unknown_query(request, "include_removed", "cursor", "limit")
    who = principal(request)
    organisation = organisation_for(who, organisation_id)
    qs = contact_list(organisation=organisation, include_removed=include_removed and who.is_agent)
    rows, next_cursor = paginate(qs, cursor=cursor, limit=limit)
    return ContactPage(items=[contact_out(c) for c in rows], next_cursor=next_cursor)


@router.post("/organisations/{organisation_id}/contacts", response={201: ContactOut, **ERRORS})
def add_contact(
    request: HttpRequest, organisation_id: int, payload: ContactIn
) -> Status[ContactOut]:
    """Register a contact (named on plans with named contacts; the limit is enforced)."""
    who = principal(request)
    organisation = organisation_for(who, organisation_id)
    require(who, Can.WRITE_CONTACTS)
    require_scope(who, "write")
    contact = contact_add(organisation=organisation, actor=actor(request), **payload.dict())
    return Status(201, contact_out(contact))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def get_contact(request: HttpRequest, contact_id: int) -> ContactOut:
    """Show one contact."""
    return contact_out(contact_for(principal(request), contact_id))


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> ContactOut:
    """Change a contact; a contact may change only their own name, phone and role."""
    who = principal(request)
    contact = contact_for(who, contact_id)
    changes = payload.dict(exclude_unset=True)
    if not who.can(Can.WRITE_CONTACTS):
        if who.contact is None or who.contact.pk != contact.pk:
            raise PermissionDenied(
                "contacts may change only their own profile", code="permission_denied"
            )
        forbidden = sorted(set(changes) - PROFILE_FIELDS)
        if forbidden:
            raise PermissionDenied(
                f"contacts may not change {', '.join(forbidden)} (ask the vendor)",
                code="permission_denied",
                details={"fields": forbidden},
            )
    require_scope(who, "write")
    return contact_out(contact_update(contact=contact, actor=actor(request), **changes))


@router.delete("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def remove_contact(request: HttpRequest, contact_id: int, reason: str = "") -> ContactOut:
    """Remove a contact (kept as history; their sign-in and tokens stop working)."""
    who = principal(request)
    contact = contact_for(who, contact_id)
    require(who, Can.WRITE_CONTACTS)
    require_scope(who, "write")
    return contact_out(contact_remove(contact=contact, actor=actor(request), reason=reason))


@router.post("/contacts/{contact_id}/replace", response={201: ContactOut, **ERRORS})
def replace_contact(
    request: HttpRequest, contact_id: int, payload: ContactReplaceIn
) -> Status[ContactOut]:
    """Replace a (named) contact by a new person in one audited step; returns the new contact."""
    who = principal(request)
    contact = contact_for(who, contact_id)
    require(who, Can.WRITE_CONTACTS)
    require_scope(who, "write")
    successor = contact_replace(contact=contact, actor=actor(request), **payload.dict())
    return Status(201, contact_out(successor))
