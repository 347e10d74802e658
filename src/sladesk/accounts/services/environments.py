"""Register, change and retire an organisation's Mattermost environments."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models.functions import Lower

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Environment, Organisation
from sladesk.accounts.policy import desk_date, resolve_policy
from sladesk.accounts.releases import parse_version
from sladesk.accounts.rules import check_non_production_limit
from sladesk.accounts.selectors import non_production_count
from sladesk.accounts.services.audit import audit_record, diff
from sladesk.accounts.services.contacts import governing_plan
from sladesk.core import time
from sladesk.core.exceptions import Conflict, ValidationFailed

if TYPE_CHECKING:
    from sladesk.policy.schema import Policy


@dataclass(frozen=True, slots=True)
class EnvironmentInput:
    """An environment's fields, as the services take them."""

    name: str
    is_production: bool
    version: str
    edition: str = Environment.Edition.ENTERPRISE
    database_type: str = Environment.Database.POSTGRESQL
    database_version: str = ""
    os: str = ""
    deployment_type: str = Environment.Deployment.PACKAGE
    cluster_size: int = 1
    user_count: int | None = None
    notes: str = ""


def _choice(value: str, choices: type[Any], field: str) -> str:
    clean = (value or "").strip().lower()
    allowed = [c.value for c in choices]
    if clean not in allowed:
        raise ValidationFailed(
            f"{field} {value!r} is not one of {', '.join(allowed)}",
            code=f"invalid_{field}",
            details={field: value, "allowed": allowed},
        )
    return clean


def environment_check(
    *,
    organisation: Organisation,
    data: EnvironmentInput,
    policy: Policy,
    day: dt.date,
    environment: Environment | None = None,
) -> EnvironmentInput:
    """Validate an environment (new, or ``environment`` being changed) without writing.

    Refusal codes: ``name_required``, ``environment_name_taken``, ``invalid_version``,
    ``invalid_edition``, ``invalid_database_type``, ``invalid_deployment_type``,
    ``invalid_cluster_size``, ``invalid_user_count`` and ``non_production_limit`` (Premier
    licenses at most 4 standalone non-production environments).
    """
    name = " ".join((data.name or "").split())
    if not name:
        raise ValidationFailed("an environment needs a name", code="name_required")
    version = (data.version or "").strip().removeprefix("v")
    if parse_version(version) is None:
        raise ValidationFailed(
            f"{data.version!r} is not a server version (expected e.g. 11.7.9)",
            code="invalid_version",
            details={"version": data.version},
        )
    if data.cluster_size < 1:
        raise ValidationFailed("the cluster size is at least 1 node", code="invalid_cluster_size")
    if data.user_count is not None and data.user_count < 0:
        raise ValidationFailed("the user count cannot be negative", code="invalid_user_count")
    clean = replace(
        data,
        name=name,
        version=version,
        edition=_choice(data.edition, Environment.Edition, "edition"),
        database_type=_choice(data.database_type, Environment.Database, "database_type"),
        deployment_type=_choice(data.deployment_type, Environment.Deployment, "deployment_type"),
        database_version=data.database_version.strip(),
        os=data.os.strip(),
    )
    same_name = Environment.objects.active().filter(organisation=organisation)
    if environment is not None:
        same_name = same_name.exclude(pk=environment.pk)
    if same_name.annotate(lname=Lower("name")).filter(lname=name.lower()).exists():
        raise Conflict(
            f"{organisation.name} already has an environment named {name!r}",
            code="environment_name_taken",
            details={"name": name},
        )
    becomes_non_production = not clean.is_production and (
        environment is None or environment.is_production
    )
    if becomes_non_production:
        plan = governing_plan(organisation=organisation, day=day, policy=policy)
        # A plan that licenses N > 0 standalone non-production environments (Premier: 4)
        # refuses the (N+1)th. A plan that licenses none (0) leaves their registration open:
        # the servers are licensed outside the plan, and their tickets are L4 on every plan.
        if plan is not None and plan.entitlements.non_production_environments != 0:
            check_non_production_limit(
                organisation_name=organisation.name,
                plan_id=plan.id,
                current=non_production_count(organisation=organisation, exclude=environment),
                limit=plan.entitlements.non_production_environments,
            )
    return clean


@transaction.atomic
def environment_add(
    *,
    organisation: Organisation,
    data: EnvironmentInput,
    actor: Actor,
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Environment:
    """Register an environment; a non-production one counts against the plan's licences."""
    now = now or time.now()
    policy = resolve_policy(policy)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    clean = environment_check(
        organisation=organisation, data=data, policy=policy, day=desk_date(at=now, policy=policy)
    )
    environment = Environment.objects.create(
        organisation=organisation, created_at=now, updated_at=now, **asdict(clean)
    )
    kind = "production" if clean.is_production else "non-production"
    audit_record(
        actor=actor,
        action="environment.add",
        obj=environment,
        organisation=organisation,
        summary=f"added {kind} environment {clean.name} ({clean.version}) to {organisation.name}",
        changes=asdict(clean),
        at=now,
    )
    return environment


def environment_input(environment: Environment) -> EnvironmentInput:
    """Return the environment's current fields as an ``EnvironmentInput``."""
    return EnvironmentInput(
        name=environment.name,
        is_production=environment.is_production,
        version=environment.version,
        edition=environment.edition,
        database_type=environment.database_type,
        database_version=environment.database_version,
        os=environment.os,
        deployment_type=environment.deployment_type,
        cluster_size=environment.cluster_size,
        user_count=environment.user_count,
        notes=environment.notes,
    )


@transaction.atomic
def environment_update(
    *,
    environment: Environment,
    actor: Actor,
    changes: dict[str, Any],
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Environment:
    """Change some fields of an environment (``changes`` maps field names to new values)."""
    now = now or time.now()
    policy = resolve_policy(policy)
    Organisation.objects.select_for_update().get(pk=environment.organisation_id)
    environment = Environment.objects.select_related("organisation").get(pk=environment.pk)
    if environment.retired_at is not None:
        raise Conflict(f"environment {environment.name} is retired", code="environment_retired")
    before = environment_input(environment)
    unknown = set(changes) - set(asdict(before))
    if unknown:
        raise ValidationFailed(
            f"unknown field(s): {', '.join(sorted(unknown))}", code="invalid_input"
        )
    clean = environment_check(
        organisation=environment.organisation,
        data=replace(before, **changes),
        policy=policy,
        day=desk_date(at=now, policy=policy),
        environment=environment,
    )
    changed = diff(asdict(before), asdict(clean))
    if not changed:
        return environment
    for field in changed:
        setattr(environment, field, getattr(clean, field))
    environment.updated_at = now
    environment.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action="environment.update",
        obj=environment,
        organisation=environment.organisation,
        summary=f"changed {', '.join(sorted(changed))} of environment {environment.name}",
        changes=changed,
        at=now,
    )
    return environment


@transaction.atomic
def environment_retire(
    *, environment: Environment, actor: Actor, now: dt.datetime | None = None
) -> Environment:
    """Retire an environment (kept as history; frees a non-production licence)."""
    now = now or time.now()
    environment = (
        Environment.objects.select_related("organisation")
        .select_for_update()
        .get(pk=environment.pk)
    )
    if environment.retired_at is not None:
        raise Conflict(
            f"environment {environment.name} is already retired", code="environment_retired"
        )
    environment.retired_at = now
    environment.save(update_fields=["retired_at"])
    audit_record(
        actor=actor,
        action="environment.retire",
        obj=environment,
        organisation=environment.organisation,
        summary=f"retired environment {environment.name} of {environment.organisation.name}",
        changes={"retired_at": now},
        at=now,
    )
    return environment
