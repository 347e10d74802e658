"""Address and naming rules shared by services, admin forms, the CSV import and the API.

Each check raises a ``DeskError`` with a stable code; forms turn it into a field error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from sladesk.core.exceptions import Conflict, ValidationFailed

if TYPE_CHECKING:
    from sladesk.policy.schema import ContactRules

# Free or public mailbox providers: never a company domain (every user of theirs would
# otherwise look like a colleague of the customer).
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.de",
        "gmx.net",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "web.de",
        "yahoo.com",
        "yandex.ru",
        "zoho.com",
    }
)

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
)


def normalise_email(value: str) -> str:
    """Return ``value`` stripped and lower-cased, or refuse it with ``invalid_email``."""
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(
            f"{value!r} is not a valid e-mail address",
            code="invalid_email",
            details={"email": value},
        ) from None
    return email


def normalise_domain(value: str) -> str:
    """Return a company domain in canonical form, or refuse it.

    Refuses malformed domains (``invalid_domain``) and public mail providers such as
    ``gmail.com`` (``public_mail_domain``).
    """
    domain = (value or "").strip().lower().removeprefix("@").rstrip(".")
    if not _DOMAIN_RE.match(domain):
        raise ValidationFailed(
            f"{value!r} is not a domain name (expected e.g. acme.com)",
            code="invalid_domain",
            details={"domain": value},
        )
    if domain in PUBLIC_MAIL_DOMAINS:
        raise ValidationFailed(
            f"{domain} is a public mail provider, not a company domain",
            code="public_mail_domain",
            details={"domain": domain},
        )
    return domain


def normalise_domains(values: Iterable[str]) -> list[str]:
    """Return the distinct canonical domains of ``values`` (order kept), refusing an empty list."""
    seen: list[str] = []
    for value in values:
        if not value.strip():
            continue
        domain = normalise_domain(value)
        if domain not in seen:
            seen.append(domain)
    if not seen:
        raise ValidationFailed(
            "an organisation needs at least one company e-mail domain", code="domain_required"
        )
    return seen


def split_list(value: str) -> list[str]:
    """Split ``"a.com; b.com, c.com"`` (commas, semicolons or whitespace) into items."""
    return [item for item in re.split(r"[\s,;]+", value or "") if item]


def validate_time_zone(value: str) -> str:
    """Return ``value`` if it is an IANA time zone, or refuse it with ``invalid_time_zone``."""
    zone = (value or "").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"{value!r} is not a time zone (use an IANA name such as Europe/Berlin)",
            code="invalid_time_zone",
            details={"time_zone": value},
        ) from None
    return zone


def email_domain(email: str) -> str:
    """Return the domain part of a normalised address."""
    return email.rpartition("@")[2]


def domain_matches(domain: str, company_domains: Iterable[str]) -> bool:
    """Return whether ``domain`` is one of ``company_domains`` or a subdomain of one."""
    return any(domain == d or domain.endswith("." + d) for d in company_domains)


def shared_local_part(email: str, role_local_parts: Iterable[str]) -> str | None:
    """Return the role name if ``email`` is a shared or group mailbox, else ``None``.

    The local part is compared after dropping a ``+``-tag, so ``support+acme@`` is
    ``support@``.
    """
    local = email.partition("@")[0].lower()
    base = local.split("+", 1)[0]
    parts = {p.strip().lower() for p in role_local_parts}
    return base if base in parts else None


def check_contact_address(
    *,
    email: str,
    named: bool,
    organisation_name: str,
    company_domains: list[str],
    rules: ContactRules,
) -> None:
    """Refuse an address the policy's contact rules do not allow.

    Contract: "A named contact has an e-mail address at one of the organisation's company
    domains and is an individual: shared or group addresses ... are refused." The policy's
    ``[contacts]`` table says how far this reaches: ``company_domain_required`` (every
    contact's address at a company domain) and ``refuse_role_addresses``
    (``named_contacts``, ``all_contacts`` or ``none``).

    Codes: ``named_contact_domain`` / ``contact_domain`` and
    ``named_contact_shared_address`` / ``shared_address``.
    """
    kind = "named contacts" if named else "contacts"
    prefix = "named_contact_" if named else "contact_"
    domain = email_domain(email)
    if rules.company_domain_required and not domain_matches(domain, company_domains):
        listed = ", ".join(company_domains) or "none registered"
        raise ValidationFailed(
            f"{email} is not at a company domain of {organisation_name} ({listed}); "
            f"{kind} must use a company address",
            code=f"{prefix}domain",
            details={"email": email, "domains": company_domains},
        )
    refuse = rules.refuse_role_addresses == "all_contacts" or (
        rules.refuse_role_addresses == "named_contacts" and named
    )
    role = shared_local_part(email, rules.role_local_parts) if refuse else None
    if role is not None:
        raise ValidationFailed(
            f"{email} is a shared or group address ({role}@); {kind} must be individuals",
            code="named_contact_shared_address" if named else "shared_address",
            details={"email": email, "local_part": role},
        )


def check_named_contact_limit(
    *, organisation_name: str, plan_id: str, current: int, limit: int | None
) -> None:
    """Refuse one more named contact when the plan's limit is reached (``named_contact_limit``)."""
    if limit is not None and current >= limit:
        raise Conflict(
            f"{organisation_name} already has {current} named contacts, the most the {plan_id} "
            f"plan allows ({limit}); replace one instead (sladesk contact replace)",
            code="named_contact_limit",
            details={"limit": limit, "current": current, "plan": plan_id},
        )


def check_non_production_limit(
    *, organisation_name: str, plan_id: str, current: int, limit: int | None
) -> None:
    """Refuse one more non-production environment beyond the plan's licences."""
    if limit is not None and current >= limit:
        raise Conflict(
            f"{organisation_name} already has {current} non-production environments, the most "
            f"the {plan_id} plan licenses ({limit}); retire one first",
            code="non_production_limit",
            details={"limit": limit, "current": current, "plan": plan_id},
        )
