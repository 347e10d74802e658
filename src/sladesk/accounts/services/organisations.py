"""Create and change organisations and their company domains."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.text import slugify

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Organisation, OrganisationDomain
from sladesk.accounts.rules import normalise_domains, validate_time_zone
from sladesk.accounts.services.audit import audit_record, diff
from sladesk.core.exceptions import Conflict, ValidationFailed


@dataclass(frozen=True, slots=True)
class OrganisationInput:
    """The validated fields of an organisation (what ``organisation_check`` returns)."""

    name: str
    slug: str
    domains: list[str]
    time_zone: str
    notes: str


def organisation_check(
    *,
    name: str,
    domains: Iterable[str],
    time_zone: str = "UTC",
    notes: str = "",
    slug: str = "",
    organisation: Organisation | None = None,
) -> OrganisationInput:
    """Validate an organisation's fields without writing; refuse with a ``DeskError``.

    ``organisation`` is the one being changed (so its own name and domains do not clash).
    """
    clean_name = " ".join((name or "").split())
    if not clean_name:
        raise ValidationFailed("an organisation needs a name", code="name_required")
    clean_slug = slugify(slug or clean_name)[:80]
    if not clean_slug:
        raise ValidationFailed(
            f"cannot derive a reference from {name!r}; give a slug", code="invalid_slug"
        )
    clean_domains = normalise_domains(domains)
    zone = validate_time_zone(time_zone or "UTC")
    others = Organisation.objects.all()
    if organisation is not None:
        others = others.exclude(pk=organisation.pk)
    if others.annotate(lname=Lower("name")).filter(lname=clean_name.lower()).exists():
        raise Conflict(
            f"an organisation named {clean_name!r} already exists",
            code="organisation_name_taken",
            details={"name": clean_name},
        )
    if others.filter(slug=clean_slug).exists():
        raise Conflict(
            f"the reference {clean_slug!r} is taken by another organisation; give another slug",
            code="organisation_slug_taken",
            details={"slug": clean_slug},
        )
    taken = OrganisationDomain.objects.filter(domain__in=clean_domains).select_related(
        "organisation"
    )
    if organisation is not None:
        taken = taken.exclude(organisation=organisation)
    clash = taken.first()
    if clash is not None:
        raise Conflict(
            f"{clash.domain} already belongs to {clash.organisation.name}",
            code="domain_taken",
            details={"domain": clash.domain, "organisation": clash.organisation.slug},
        )
    return OrganisationInput(clean_name, clean_slug, clean_domains, zone, notes or "")


@transaction.atomic
def organisation_create(
    *,
    name: str,
    domains: Iterable[str],
    actor: Actor,
    time_zone: str = "UTC",
    notes: str = "",
    slug: str = "",
) -> Organisation:
    """Create an organisation with its company e-mail domains."""
    data = organisation_check(
        name=name, domains=domains, time_zone=time_zone, notes=notes, slug=slug
    )
    organisation = Organisation.objects.create(
        name=data.name, slug=data.slug, time_zone=data.time_zone, notes=data.notes
    )
    OrganisationDomain.objects.bulk_create(
        OrganisationDomain(organisation=organisation, domain=d) for d in data.domains
    )
    audit_record(
        actor=actor,
        action="organisation.create",
        obj=organisation,
        organisation=organisation,
        summary=f"created organisation {data.name} ({', '.join(data.domains)})",
        changes={
            "name": data.name,
            "slug": data.slug,
            "domains": data.domains,
            "time_zone": data.time_zone,
        },
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    actor: Actor,
    name: str | None = None,
    domains: Iterable[str] | None = None,
    time_zone: str | None = None,
    notes: str | None = None,
) -> Organisation:
    """Change an organisation's name, domains, time zone or notes (``None`` keeps a field)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    current_domains = list(organisation.domains.values_list("domain", flat=True))
    data = organisation_check(
        name=organisation.name if name is None else name,
        domains=current_domains if domains is None else list(domains),
        time_zone=organisation.time_zone if time_zone is None else time_zone,
        notes=organisation.notes if notes is None else notes,
        slug=organisation.slug,
        organisation=organisation,
    )
    before = {
        "name": organisation.name,
        "time_zone": organisation.time_zone,
        "notes": organisation.notes,
        "domains": sorted(current_domains),
    }
    after = {
        "name": data.name,
        "time_zone": data.time_zone,
        "notes": data.notes,
        "domains": sorted(data.domains),
    }
    changes = diff(before, after)
    if not changes:
        return organisation
    organisation.name, organisation.time_zone, organisation.notes = (
        data.name,
        data.time_zone,
        data.notes,
    )
    organisation.save(update_fields=["name", "time_zone", "notes"])
    if "domains" in changes:
        organisation.domains.exclude(domain__in=data.domains).delete()
        OrganisationDomain.objects.bulk_create(
            OrganisationDomain(organisation=organisation, domain=d)
            for d in data.domains
            if d not in current_domains
        )
    audit_record(
        actor=actor,
        action="organisation.update",
        obj=organisation,
        organisation=organisation,
        summary=f"changed {', '.join(sorted(changes))} of {organisation.name}",
        changes=changes,
    )
    return organisation
