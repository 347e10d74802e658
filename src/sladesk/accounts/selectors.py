"""Reads for the accounts app: each does its joins once and returns values or querysets."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Q, QuerySet

from sladesk.accounts.models import (
    Agent,
    ApiToken,
    AuditLog,
    Contact,
    Environment,
    Organisation,
    OrganisationDomain,
    Release,
    Subscription,
    Team,
)
from sladesk.accounts.policy import resolve_policy
from sladesk.accounts.releases import CatalogueEntry, SupportStatus, Version, support_status
from sladesk.core.exceptions import NotFound
from sladesk.core.rows import Part, Row, Values, relate, table

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


_SUBSCRIPTION = Row(Part(Subscription, "s"))


def subscription_valid_on(*, organisation: Organisation | int, day: dt.date) -> Subscription | None:
    """Return the organisation's subscription valid on ``day`` (started, not ended, not cancelled).

    The latest to start when several are. Hand-written (``sladesk.core.rows``: every
    request reads it); it is ``Subscription.objects.valid_on(day)``, and its test compares
    the two.
    """
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    found = _SUBSCRIPTION.one(
        f"SELECT {_SUBSCRIPTION.columns} FROM {table(Subscription)} s "
        "WHERE s.organisation_id = %s AND s.starts_on <= %s AND s.ends_on >= %s "
        "AND (s.cancelled_on IS NULL OR s.cancelled_on > %s) "
        "ORDER BY s.starts_on DESC, s.id DESC LIMIT 1",
        [org_id, day, day, day],
    )
    if found is None:
        return None
    subscription: Subscription = found[0]
    if isinstance(organisation, Organisation):
        relate(subscription, "organisation", organisation)
    return subscription


_SUBSCRIPTION_ENVIRONMENT = Row(
    Part(Subscription, "s", optional=True),
    Part(Environment, "e", optional=True),
    Part(Organisation, "o", optional=True),
)


def subscription_and_environment(
    *, organisation: Organisation, day: dt.date, environment_id: int
) -> tuple[Subscription | None, Environment | None, str | None]:
    """Return ``subscription_valid_on``, ``environment_by_id`` and the catalogue's fingerprint.

    One statement on PostgreSQL for the three reads of an intake that names an
    environment (the fingerprint: ``release_catalogue_fingerprint_sql``); elsewhere the
    two reads, and no fingerprint.
    """
    if connection.vendor != "postgresql":
        return (
            subscription_valid_on(organisation=organisation, day=day),
            environment_by_id(environment_id),
            None,
        )
    row = _SUBSCRIPTION_ENVIRONMENT
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {row.columns}, {release_catalogue_fingerprint_sql()} FROM (SELECT 1) one "
            f"LEFT JOIN LATERAL (SELECT * FROM {table(Subscription)} s "
            "WHERE s.organisation_id = %s AND s.starts_on <= %s AND s.ends_on >= %s "
            "AND (s.cancelled_on IS NULL OR s.cancelled_on > %s) "
            "ORDER BY s.starts_on DESC, s.id DESC LIMIT 1) s ON true "
            f"LEFT JOIN ({table(Environment)} e JOIN {table(Organisation)} o "
            "ON o.id = e.organisation_id) ON e.id = %s",
            [organisation.pk, day, day, day, environment_id],
        )
        values = cursor.fetchone()
    subscription, environment, environment_org = row.read(values[:-1], alias=connection.alias)
    if subscription is not None:
        relate(subscription, "organisation", organisation)
    if environment is not None:
        relate(environment, "organisation", environment_org)
    return subscription, environment, values[-1]


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


#: An active contact with its organisation and user (what ``select_related`` would join).
_CONTACT = Row(Part(Contact, "c"), Part(Organisation, "o"), Part(get_user_model(), "u"))


def _contact_with_relations(where: str, params: list[object]) -> Contact | None:
    found = _CONTACT.one(
        f"SELECT {_CONTACT.columns} FROM {table(Contact)} c "
        f"JOIN {table(Organisation)} o ON o.id = c.organisation_id "
        f"JOIN {table(get_user_model())} u ON u.id = c.user_id "
        f"WHERE c.removed_at IS NULL AND {where} ORDER BY c.organisation_id, c.email LIMIT 1",
        params,
    )
    if found is None:
        return None
    contact: Contact = found[0]
    relate(contact, "organisation", found[1])
    relate(contact, "user", found[2])
    return contact


def contact_active_by_email(email: str) -> Contact | None:
    """Return the active contact with this (normalised) e-mail address.

    With its organisation and user. Hand-written (``sladesk.core.rows``): every e-mail
    and chat request reads it.
    """
    return _contact_with_relations("c.email = %s", [email.strip().lower()])


def contact_last_by_email(email: str) -> Contact | None:
    """Return the most recently removed contact with this e-mail (for "removed on" messages)."""
    return (
        Contact.objects.filter(email=email.strip().lower(), removed_at__isnull=False)
        .select_related("organisation")
        .order_by("-removed_at")
        .first()
    )


def contact_active_for_user(user_id: int) -> Contact | None:
    """Return the user's active contact registration, if any (with organisation and user)."""
    return _contact_with_relations("c.user_id = %s", [user_id])


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


_ENVIRONMENT = Row(Part(Environment, "e"), Part(Organisation, "o"))


def environment_by_id(pk: int) -> Environment | None:
    """Return the environment ``pk`` as stored now, with its organisation (or None).

    Hand-written (``sladesk.core.rows``): every request that names an environment reads it.
    """
    found = _ENVIRONMENT.one(
        f"SELECT {_ENVIRONMENT.columns} FROM {table(Environment)} e "
        f"JOIN {table(Organisation)} o ON o.id = e.organisation_id WHERE e.id = %s",
        [pk],
    )
    if found is None:
        return None
    environment: Environment = found[0]
    relate(environment, "organisation", found[1])
    return environment


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


_RELEASES = Values(
    Release, "r", "major", "minor", "patch", "released_on", "extended_support", "support_ends"
)


def release_catalogue() -> list[CatalogueEntry]:
    """Return the catalogue as values for ``releases.support_status``.

    Read on every request with a server version, so as plain values
    (``sladesk.core.rows.Values``): model instances for its ~30 rows cost more than the
    query.
    """
    return [
        CatalogueEntry(Version(major, minor, patch), released, extended, ends)
        for major, minor, patch, released, extended, ends in _RELEASES.all(
            f"SELECT {_RELEASES.columns} FROM {table(Release)} r", []
        )
    ]


def release_catalogue_fingerprint_sql() -> str:
    """Return a scalar subquery (PostgreSQL) whose value changes whenever the catalogue does.

    A SHA-256 of every column of every release, in key order (SHA-256 rather than MD5,
    which a FIPS-mode server refuses): a reader that already asks the database something
    can add it and reuse the catalogue read under that value
    (``release_support(fingerprint=...)``) instead of reading ~30 rows again.
    """
    return (
        "(SELECT encode(sha256(convert_to(COALESCE(string_agg(concat_ws(',', r.id, r.major, "
        "r.minor, r.patch, r.released_on, r.extended_support, r.support_ends), ';' "
        f"ORDER BY r.id), ''), 'UTF8')), 'hex') FROM {table(Release)} r)"
    )


#: Catalogues by the fingerprint of what was read (``release_catalogue_fingerprint_sql``).
_CATALOGUES: dict[str, tuple[CatalogueEntry, ...]] = {}


def _catalogue_under(fingerprint: str) -> tuple[CatalogueEntry, ...]:
    """Return the catalogue whose fingerprint is ``fingerprint``, read if not known yet.

    A catalogue is read together with its own fingerprint (one statement, one snapshot)
    and kept under that, never under the caller's: if it changed since the caller's
    statement, the caller gets the newer catalogue, and an old fingerprint that comes
    back (a release edited, then loaded again as it was) finds what it stands for.
    """
    found = _CATALOGUES.get(fingerprint)
    if found is not None:
        return found
    rows = _RELEASES.all(
        f"SELECT {_RELEASES.columns}, {release_catalogue_fingerprint_sql()} "
        f"FROM (SELECT 1) one LEFT JOIN {table(Release)} r ON true ORDER BY r.id",
        [],
    )
    catalogue = tuple(
        CatalogueEntry(Version(major, minor, patch), released, extended, ends)
        for major, minor, patch, released, extended, ends, _ in rows
        if major is not None  # the one row of an empty catalogue
    )
    if len(_CATALOGUES) >= 8:
        _CATALOGUES.clear()
    _CATALOGUES[rows[0][-1]] = catalogue
    return catalogue


def release_support(
    *, version: str, on: dt.date, policy: Policy | None = None, fingerprint: str | None = None
) -> SupportStatus:
    """Return whether ``version`` is a supported release on ``on`` under the policy's rule.

    ``fingerprint``: the catalogue's fingerprint, read by the caller's own query
    (``release_catalogue_fingerprint_sql``); the catalogue is then read only when it
    changed. Without it the catalogue is read.
    """
    policy = resolve_policy(policy)
    return _support_status_memo(
        version=version,
        catalogue=_catalogue_under(fingerprint)
        if fingerprint is not None
        else tuple(release_catalogue()),
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


# Teams -------------------------------------------------------------------------------

_TEAM = Row(Part(Team, "t"))


def team_by_slug(slug: str) -> Team | None:
    """Return the team ``slug`` (hand-written, ``sladesk.core.rows``: every opening routes)."""
    found = _TEAM.one(f"SELECT {_TEAM.columns} FROM {table(Team)} t WHERE t.slug = %s", [slug])
    return None if found is None else found[0]


# API tokens ------------------------------------------------------------------------------

#: A token, its user, the user's agent profile and active contact registration (with the
#: contact's organisation): everything an API request's principal needs, in one row.
_TOKEN = Row(
    Part(ApiToken, "t"),
    Part(get_user_model(), "u"),
    Part(Agent, "a", optional=True),
    Part(Contact, "c", optional=True),
    Part(Organisation, "o", optional=True),
)


def token_live_by_hash(digest: str, *, now: dt.datetime) -> ApiToken | None:
    """Return the live token whose hash is ``digest``: not revoked, not expired, user active.

    With ``token.user``, ``token.user.agent`` (or none) and ``token.active_contact`` (the
    user's active contact registration, with its organisation, as
    ``contact_active_for_user`` finds it) read in the same query. Hand-written
    (``sladesk.core.rows``): every API request reads it.
    """
    found = _TOKEN.one(
        f"SELECT {_TOKEN.columns} FROM {table(ApiToken)} t "
        f"JOIN {table(get_user_model())} u ON u.id = t.user_id "
        f"LEFT JOIN {table(Agent)} a ON a.user_id = u.id "
        f"LEFT JOIN {table(Contact)} c ON c.id = (SELECT c2.id FROM {table(Contact)} c2 "
        "WHERE c2.user_id = u.id AND c2.removed_at IS NULL "
        "ORDER BY c2.organisation_id, c2.email LIMIT 1) "
        f"LEFT JOIN {table(Organisation)} o ON o.id = c.organisation_id "
        "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s "
        "AND (t.expires_at IS NULL OR t.expires_at > %s)",
        [digest, True, now],
    )
    if found is None:
        return None
    token: ApiToken = found[0]
    user, agent, contact, organisation = found[1:]
    relate(token, "user", user)
    relate(user, "agent", agent)
    if agent is not None:
        relate(agent, "user", user)
    if contact is not None:
        relate(contact, "organisation", organisation)
        relate(contact, "user", user)
    token.active_contact = contact
    return token
