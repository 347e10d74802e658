"""Reads for the accounts app: each does its joins once and returns values or querysets."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet

from sladesk.accounts.models import (
    AuditLog,
    Contact,
    Environment,
    Organisation,
    OrganisationDomain,
    Release,
    Subscription,
)
from sladesk.accounts.policy import resolve_policy
from sladesk.accounts.releases import CatalogueEntry, SupportStatus, Version, support_status
from sladesk.core.exceptions import NotFound

if TYPE_CHECKING:
    from sladesk.policy.schema import Policy


# Organisations ---------------------------------------------------------------------------


def organisation_list(*, search: str = "") -> QuerySet[Organisation]:
    """Return organisations by name, with their domains prefetched."""
    qs = Organisation.objects.prefetch_related("domains").order_by("name", "id")
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(slug__icontains=search)
            | Q(domains__domain__icontains=search)
        ).distinct()
    return qs


def organisation_find(ref: str | int) -> Organisation:
    """Return the organisation with this id, slug or exact name (case-insensitive)."""
    text = str(ref).strip()
    qs = Organisation.objects.prefetch_related("domains")
    found: Organisation | None = None
    if text.isdigit():
        found = qs.filter(pk=int(text)).first()
    if found is None:
        found = qs.filter(slug=text.lower()).first() or qs.filter(name__iexact=text).first()
    if found is None:
        raise NotFound(
            f"no organisation {text!r} (give its id, reference or exact name)",
            code="organisation_not_found",
            details={"organisation": text},
        )
    return found


def organisation_for_domain(domain: str) -> Organisation | None:
    """Return the organisation owning ``domain`` or its nearest parent domain (``eu.acme.com``)."""
    labels = domain.lower().split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    rows = {
        d.domain: d.organisation
        for d in OrganisationDomain.objects.filter(domain__in=candidates).select_related(
            "organisation"
        )
    }
    for candidate in candidates:
        if candidate in rows:
            return rows[candidate]
    return None


def organisation_domains(organisation: Organisation) -> list[str]:
    """Return the organisation's company domains, sorted."""
    return sorted(organisation.domains.values_list("domain", flat=True))


# Subscriptions -----------------------------------------------------------------------------


def subscription_valid_on(*, organisation: Organisation, day: dt.date) -> Subscription | None:
    """Return the organisation's subscription valid on ``day`` (started, not ended, not cancelled)."""
    return (
        Subscription.objects.valid_on(day)
        .filter(organisation=organisation)
        .order_by("-starts_on", "-id")
        .first()
    )


def subscription_governing(*, organisation: Organisation, day: dt.date) -> Subscription | None:
    """Return the subscription whose plan governs limits on ``day``.

    That is the one valid on ``day``, else the next one to start (contacts and environments
    are often registered before a contract begins), else ``None``.
    """
    valid = subscription_valid_on(organisation=organisation, day=day)
    if valid is not None:
        return valid
    return (
        Subscription.objects.filter(organisation=organisation, starts_on__gt=day)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=F("starts_on")))
        .order_by("starts_on", "id")
        .first()
    )


def subscription_history(*, organisation: Organisation) -> QuerySet[Subscription]:
    """Return every subscription of the organisation, oldest first."""
    return Subscription.objects.filter(organisation=organisation).order_by("starts_on", "id")


# Contacts --------------------------------------------------------------------------------


def contact_active_by_email(email: str) -> Contact | None:
    """Return the active contact with this (normalised) e-mail address."""
    return (
        Contact.objects.active()
        .select_related("organisation", "user")
        .filter(email=email.strip().lower())
        .first()
    )


def contact_last_by_email(email: str) -> Contact | None:
    """Return the most recently removed contact with this e-mail (for "removed on" messages)."""
    return (
        Contact.objects.filter(email=email.strip().lower(), removed_at__isnull=False)
        .select_related("organisation")
        .order_by("-removed_at")
        .first()
    )


def contact_active_for_user(user_id: int) -> Contact | None:
    """Return the user's active contact registration, if any."""
    return (
        Contact.objects.active()
        .select_related("organisation", "user")
        .filter(user_id=user_id)
        .first()
    )


def contact_list(*, organisation: Organisation, include_removed: bool = False) -> QuerySet[Contact]:
    """Return the organisation's contacts (named first, then by e-mail)."""
    qs = Contact.objects.filter(organisation=organisation).select_related("organisation", "user")
    if not include_removed:
        qs = qs.active()
    return qs.order_by("-named", "email", "id")


def named_contact_count(*, organisation: Organisation) -> int:
    """Return how many active named contacts the organisation has."""
    return Contact.objects.active().filter(organisation=organisation, named=True).count()


# Environments ----------------------------------------------------------------------------


def environment_list(
    *, organisation: Organisation, include_retired: bool = False
) -> QuerySet[Environment]:
    """Return the organisation's environments (production first)."""
    qs = Environment.objects.filter(organisation=organisation).select_related("organisation")
    if not include_retired:
        qs = qs.active()
    return qs.order_by("-is_production", "name", "id")


def non_production_count(*, organisation: Organisation, exclude: Environment | None = None) -> int:
    """Return how many active non-production environments the organisation has."""
    qs = Environment.objects.active().filter(organisation=organisation, is_production=False)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.count()


# Releases --------------------------------------------------------------------------------


def release_list() -> QuerySet[Release]:
    """Return the catalogue, newest first."""
    return Release.objects.order_by("-major", "-minor", "-patch", "-released_on")


def release_catalogue() -> list[CatalogueEntry]:
    """Return the catalogue as values for ``releases.support_status``."""
    return [
        CatalogueEntry(
            Version(r.major, r.minor, r.patch), r.released_on, r.extended_support, r.support_ends
        )
        for r in Release.objects.all()
    ]


def release_support(*, version: str, on: dt.date, policy: Policy | None = None) -> SupportStatus:
    """Return whether ``version`` is a supported release on ``on`` under the policy's rule."""
    policy = resolve_policy(policy)
    return _support_status_memo(
        version=version,
        catalogue=tuple(release_catalogue()),
        rule=policy.releases.rule,
        extended_support_until_end=policy.releases.extended_support_until_end,
        on=on,
    )


@functools.lru_cache(maxsize=1024)
def _support_status_memo(
    *,
    version: str,
    catalogue: tuple[CatalogueEntry, ...],
    rule: str,
    extended_support_until_end: bool,
    on: dt.date,
) -> SupportStatus:
    """``support_status``, remembered: it is pure, and every intake asks it (the catalogue
    is read each time, so an edited catalogue is a new key, never a stale answer)."""
    return support_status(
        version_text=version,
        catalogue=catalogue,
        rule=rule,
        extended_support_until_end=extended_support_until_end,
        on=on,
    )


# Audit -----------------------------------------------------------------------------------


def audit_list(*, organisation: Organisation | None = None, action: str = "") -> QuerySet[AuditLog]:
    """Return audit entries, newest first, optionally for one organisation or action prefix."""
    qs = AuditLog.objects.select_related("actor", "organisation").order_by("-at", "-id")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if action:
        qs = qs.filter(action__startswith=action)
    return qs
