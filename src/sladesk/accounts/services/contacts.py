"""Register, change, remove and replace an organisation's contacts.

On plans whose policy sets a named-contact limit (Premier: 3) contacts are *named
contacts*: the limit is enforced, the address must be at a company domain and shared or
group mailboxes are refused. Replacing a named contact is its own audited action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import ApiToken, Contact, Organisation, SignInLink
from sladesk.accounts.policy import desk_date, plan_of, resolve_policy
from sladesk.accounts.rules import (
    check_contact_address,
    check_named_contact_limit,
    normalise_email,
)
from sladesk.accounts.selectors import organisation_domains, subscription_governing
from sladesk.accounts.services.audit import audit_record, diff
from sladesk.core import time
from sladesk.core.exceptions import Conflict, ValidationFailed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from sladesk.policy.schema import Plan, Policy


@dataclass(frozen=True, slots=True)
class ContactInput:
    """What ``contact_check`` accepted: the normalised address and whether it is named."""

    email: str
    named: bool
    plan_id: str | None


def governing_plan(*, organisation: Organisation, day: dt.date, policy: Policy) -> Plan | None:
    """Return the plan of the subscription valid on ``day`` (or the next one), if any."""
    subscription = subscription_governing(organisation=organisation, day=day)
    if subscription is None:
        return None
    return plan_of(policy=policy, plan_id=subscription.plan_id)


def contact_check(
    *,
    organisation: Organisation,
    email: str,
    named: bool | None,
    policy: Policy,
    day: dt.date,
    contact: Contact | None = None,
) -> ContactInput:
    """Validate a contact (new, or ``contact`` being changed) without writing.

    ``named=None`` means "as the plan says": named on plans that require named contacts.
    Refusal codes: ``invalid_email``, ``contact_exists``, ``email_is_agent``,
    ``named_contact_domain`` (``contact_domain``), ``named_contact_shared_address``
    (``shared_address``), ``named_contact_limit``.
    """
    address = normalise_email(email)
    clash = Contact.objects.active().filter(email=address).select_related("organisation")
    if contact is not None:
        clash = clash.exclude(pk=contact.pk)
    existing = clash.first()
    if existing is not None:
        raise Conflict(
            f"{address} is already a contact of {existing.organisation.name}",
            code="contact_exists",
            details={
                "email": address,
                "contact": existing.pk,
                "organisation": existing.organisation.slug,
            },
        )
    staff = get_user_model().objects.filter(
        Q(username__iexact=address) | Q(email__iexact=address),
        Q(agent__isnull=False) | Q(is_staff=True) | Q(is_superuser=True),
    )
    if contact is not None:
        staff = staff.exclude(pk=contact.user_id)
    if staff.exists():
        raise Conflict(
            f"{address} belongs to an agent of the desk; contacts and agents are different people",
            code="email_is_agent",
            details={"email": address},
        )
    plan = governing_plan(organisation=organisation, day=day, policy=policy)
    is_named = (
        named if named is not None else bool(plan and plan.entitlements.named_contacts_required)
    )
    check_contact_address(
        email=address,
        named=is_named,
        organisation_name=organisation.name,
        company_domains=organisation_domains(organisation),
        rules=policy.contacts,
    )
    if is_named and plan is not None and not (contact is not None and contact.named):
        named_now = Contact.objects.active().filter(organisation=organisation, named=True)
        if contact is not None:
            named_now = named_now.exclude(pk=contact.pk)
        check_named_contact_limit(
            organisation_name=organisation.name,
            plan_id=plan.id,
            current=named_now.count(),
            limit=plan.entitlements.named_contact_limit,
        )
    return ContactInput(address, is_named, plan.id if plan is not None else None)


def _user_for(*, email: str, name: str) -> User:
    """Return the Django user signing in as ``email`` (reactivated if it was a former contact)."""
    users = get_user_model().objects
    user = users.filter(username=email).first()
    if user is None:
        return users.create_user(username=email, email=email, first_name=name[:150])
    user.email, user.first_name, user.is_active = email, name[:150], True
    user.save(update_fields=["email", "first_name", "is_active"])
    return user


def _contact_fields(contact: Contact) -> dict[str, object]:
    return {
        "email": contact.email,
        "name": contact.name,
        "phone": contact.phone,
        "role": contact.role,
        "named": contact.named,
    }


def _clean_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise ValidationFailed("a contact needs a name", code="name_required")
    return clean


@transaction.atomic
def contact_add(
    *,
    organisation: Organisation,
    email: str,
    name: str,
    actor: Actor,
    phone: str = "",
    role: str = "",
    named: bool | None = None,
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Contact:
    """Register a contact of ``organisation`` (a named contact when the plan requires it)."""
    now = now or time.now()
    policy = resolve_policy(policy)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    clean_name = _clean_name(name)
    data = contact_check(
        organisation=organisation,
        email=email,
        named=named,
        policy=policy,
        day=desk_date(at=now, policy=policy),
    )
    contact = Contact.objects.create(
        user=_user_for(email=data.email, name=clean_name),
        organisation=organisation,
        email=data.email,
        name=clean_name,
        phone=phone.strip(),
        role=role.strip(),
        named=data.named,
        added_at=now,
    )
    kind = "named contact" if data.named else "contact"
    audit_record(
        actor=actor,
        action="contact.add",
        obj=contact,
        organisation=organisation,
        summary=f"added {kind} {contact.name} <{contact.email}> to {organisation.name}",
        changes=_contact_fields(contact),
        at=now,
    )
    return contact


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    actor: Actor,
    name: str | None = None,
    phone: str | None = None,
    role: str | None = None,
    email: str | None = None,
    named: bool | None = None,
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Contact:
    """Change a contact's details (``None`` keeps a field); named-contact rules apply."""
    now = now or time.now()
    policy = resolve_policy(policy)
    Organisation.objects.select_for_update().get(pk=contact.organisation_id)
    contact = Contact.objects.select_related("organisation", "user").get(pk=contact.pk)
    _require_active(contact)
    before = _contact_fields(contact)
    new_named = contact.named if named is None else named
    if email is not None or new_named != contact.named:
        data = contact_check(
            organisation=contact.organisation,
            email=contact.email if email is None else email,
            named=new_named,
            policy=policy,
            day=desk_date(at=now, policy=policy),
            contact=contact,
        )
        contact.email, contact.named = data.email, data.named
    if name is not None:
        contact.name = _clean_name(name)
    if phone is not None:
        contact.phone = phone.strip()
    if role is not None:
        contact.role = role.strip()
    changes = diff(before, _contact_fields(contact))
    if not changes:
        return contact
    contact.save(update_fields=["email", "name", "phone", "role", "named"])
    user = contact.user
    if user.username != contact.email or user.first_name != contact.name[:150]:
        user.username = user.email = contact.email
        user.first_name = contact.name[:150]
        user.save(update_fields=["username", "email", "first_name"])
    audit_record(
        actor=actor,
        action="contact.update",
        obj=contact,
        organisation=contact.organisation,
        summary=f"changed {', '.join(sorted(changes))} of contact {contact.email}",
        changes=changes,
        at=now,
    )
    return contact


def _require_active(contact: Contact) -> None:
    if contact.removed_at is not None:
        raise Conflict(
            f"{contact.email} was removed as a contact on {contact.removed_at:%Y-%m-%d}",
            code="contact_removed",
            details={"contact": contact.pk},
        )


def _deactivate(contact: Contact, *, now: dt.datetime, reason: str) -> None:
    """Mark ``contact`` removed, sign its user out of the API and links, and deactivate it."""
    contact.removed_at = now
    contact.removal_reason = reason
    contact.save(update_fields=["removed_at", "removal_reason"])
    ApiToken.objects.filter(user_id=contact.user_id, revoked_at__isnull=True).update(revoked_at=now)
    SignInLink.objects.filter(user_id=contact.user_id, used_at__isnull=True).update(expires_at=now)
    user = contact.user
    user.is_active = False
    user.save(update_fields=["is_active"])


@transaction.atomic
def contact_remove(
    *, contact: Contact, actor: Actor, reason: str = "", now: dt.datetime | None = None
) -> Contact:
    """Remove a contact: kept as history, its sign-in, tokens and links stop working."""
    now = now or time.now()
    Organisation.objects.select_for_update().get(pk=contact.organisation_id)
    contact = Contact.objects.select_related("organisation", "user").get(pk=contact.pk)
    _require_active(contact)
    _deactivate(contact, now=now, reason=reason)
    audit_record(
        actor=actor,
        action="contact.remove",
        obj=contact,
        organisation=contact.organisation,
        summary=f"removed contact {contact.email} from {contact.organisation.name}"
        + (f": {reason}" if reason else ""),
        changes={"removed_at": now, "reason": reason, "named": contact.named},
        at=now,
    )
    return contact


@transaction.atomic
def contact_replace(
    *,
    contact: Contact,
    email: str,
    name: str,
    actor: Actor,
    phone: str = "",
    role: str = "",
    reason: str = "",
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Contact:
    """Replace ``contact`` by a new person in one audited step (the named slot passes over).

    The old contact is removed (and linked to the new one); the new one is registered with
    the same named status, so its address must pass the named-contact rules.
    """
    now = now or time.now()
    policy = resolve_policy(policy)
    organisation = Organisation.objects.select_for_update().get(pk=contact.organisation_id)
    contact = Contact.objects.select_related("organisation", "user").get(pk=contact.pk)
    _require_active(contact)
    clean_name = _clean_name(name)
    address = normalise_email(email)
    if address == contact.email:
        raise ValidationFailed(
            f"{address} is the contact being replaced; give the new person's address",
            code="replace_same_contact",
        )
    _deactivate(contact, now=now, reason=reason or f"replaced by {address}")
    data = contact_check(
        organisation=organisation,
        email=address,
        named=contact.named,
        policy=policy,
        day=desk_date(at=now, policy=policy),
    )
    successor = Contact.objects.create(
        user=_user_for(email=data.email, name=clean_name),
        organisation=organisation,
        email=data.email,
        name=clean_name,
        phone=phone.strip(),
        role=role.strip(),
        named=data.named,
        added_at=now,
    )
    contact.replaced_by = successor
    contact.save(update_fields=["replaced_by"])
    kind = "named contact" if data.named else "contact"
    audit_record(
        actor=actor,
        action="contact.replace",
        obj=successor,
        organisation=organisation,
        summary=(
            f"replaced {kind} {contact.email} by {successor.name} <{successor.email}> at "
            f"{organisation.name}" + (f": {reason}" if reason else "")
        ),
        changes={"replaced": contact.email, "by": _contact_fields(successor), "reason": reason},
        at=now,
    )
    return successor
