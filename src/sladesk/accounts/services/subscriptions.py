"""Sell, renew, change and cancel subscriptions; history is kept, never overwritten."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Organisation, Subscription
from sladesk.accounts.policy import desk_date, plan_of, resolve_policy
from sladesk.accounts.selectors import named_contact_count, non_production_count
from sladesk.accounts.services.audit import audit_record
from sladesk.core import time
from sladesk.core.exceptions import Conflict, ValidationFailed

if TYPE_CHECKING:
    from sladesk.policy.schema import Policy


def _one_year_from(start: dt.date) -> dt.date:
    """Return the last day of a one-year term starting on ``start``."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + 1, day=28) + dt.timedelta(days=1)
    return anniversary - dt.timedelta(days=1)


def subscription_check(
    *,
    organisation: Organisation,
    plan_id: str,
    starts_on: dt.date,
    ends_on: dt.date,
    policy: Policy,
    ignore: Subscription | None = None,
) -> None:
    """Validate a new subscription without writing; refuse with a ``DeskError``.

    Refuses an unknown plan (``unknown_plan``), an end before the start (``invalid_dates``),
    a term overlapping another subscription of the organisation (``subscription_overlap``:
    "valid on day D" must name one contract) and a plan whose limits the organisation
    already exceeds (``named_contact_limit``, ``non_production_limit``).
    """
    plan = plan_of(policy=policy, plan_id=plan_id)
    if ends_on < starts_on:
        raise ValidationFailed(
            f"the subscription would end ({ends_on}) before it starts ({starts_on})",
            code="invalid_dates",
            details={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        )
    for other in Subscription.objects.filter(organisation=organisation).order_by("starts_on"):
        if ignore is not None and other.pk == ignore.pk:
            continue
        last = other.last_covered_day
        if last < other.starts_on:  # cancelled before it started: covers nothing
            continue
        if starts_on <= last and other.starts_on <= ends_on:
            raise Conflict(
                f"{organisation.name} already has a {other.plan_id} subscription covering "
                f"{other.starts_on}..{last} (#{other.pk}); renew, change or cancel it instead",
                code="subscription_overlap",
                details={"subscription": other.pk},
            )
    entitlements = plan.entitlements
    limit = entitlements.named_contact_limit
    named = named_contact_count(organisation=organisation)
    if limit is not None and named > limit:
        raise Conflict(
            f"{organisation.name} has {named} named contacts but the {plan.id} plan allows {limit}; "
            "remove some or make them ordinary contacts first",
            code="named_contact_limit",
            details={"limit": limit, "current": named, "plan": plan.id},
        )
    licensed = entitlements.non_production_environments
    non_production = non_production_count(organisation=organisation)
    if licensed and non_production > licensed:  # 0: the plan licenses none; see environments
        raise Conflict(
            f"{organisation.name} has {non_production} non-production environments but the "
            f"{plan.id} plan licenses {licensed}; retire some first",
            code="non_production_limit",
            details={"limit": licensed, "current": non_production, "plan": plan.id},
        )


@transaction.atomic
def subscription_add(
    *,
    organisation: Organisation,
    plan_id: str,
    starts_on: dt.date,
    actor: Actor,
    ends_on: dt.date | None = None,
    notes: str = "",
    policy: Policy | None = None,
    renewal_of: Subscription | None = None,
) -> Subscription:
    """Sell a subscription to ``plan_id`` from ``starts_on`` to ``ends_on`` (default: one year).

    Records the policy version it is sold under.
    """
    policy = resolve_policy(policy)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    ends_on = ends_on or _one_year_from(starts_on)
    subscription_check(
        organisation=organisation,
        plan_id=plan_id,
        starts_on=starts_on,
        ends_on=ends_on,
        policy=policy,
    )
    subscription = Subscription.objects.create(
        organisation=organisation,
        plan_id=plan_id,
        starts_on=starts_on,
        ends_on=ends_on,
        policy_version=policy.version,
        renewal_of=renewal_of,
        notes=notes,
    )
    verb = "renewed" if renewal_of is not None else "added"
    audit_record(
        actor=actor,
        action="subscription.renew" if renewal_of is not None else "subscription.add",
        obj=subscription,
        organisation=organisation,
        summary=f"{verb} {plan_id} subscription for {organisation.name}, {starts_on}..{ends_on}",
        changes={
            "plan_id": plan_id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "policy_version": policy.version,
            "renewal_of": renewal_of.pk if renewal_of is not None else None,
        },
    )
    return subscription


def _require_open(subscription: Subscription, *, doing: str) -> None:
    """Refuse to act on a cancelled or already-renewed subscription."""
    if subscription.status == Subscription.Status.CANCELLED:
        raise Conflict(
            f"subscription #{subscription.pk} was cancelled on {subscription.cancelled_on}; cannot {doing} it",
            code="subscription_cancelled",
            details={"subscription": subscription.pk},
        )
    successor = Subscription.objects.filter(renewal_of=subscription).first()
    if successor is not None:
        raise Conflict(
            f"subscription #{subscription.pk} was already renewed by #{successor.pk}; {doing} that one",
            code="subscription_already_renewed",
            details={"subscription": subscription.pk, "renewed_by": successor.pk},
        )


@transaction.atomic
def subscription_renew(
    *,
    subscription: Subscription,
    actor: Actor,
    ends_on: dt.date | None = None,
    plan_id: str | None = None,
    policy: Policy | None = None,
) -> Subscription:
    """Renew from the day after the current term ends (default: one more year, same plan).

    A different ``plan_id`` changes plan at renewal. The old row stays as history.
    """
    Organisation.objects.select_for_update().get(pk=subscription.organisation_id)
    subscription = Subscription.objects.select_related("organisation").get(pk=subscription.pk)
    _require_open(subscription, doing="renew")
    starts_on = subscription.ends_on + dt.timedelta(days=1)
    return subscription_add(
        organisation=subscription.organisation,
        plan_id=plan_id or subscription.plan_id,
        starts_on=starts_on,
        ends_on=ends_on,
        actor=actor,
        policy=policy,
        renewal_of=subscription,
    )


@transaction.atomic
def subscription_cancel(
    *,
    subscription: Subscription,
    actor: Actor,
    reason: str,
    effective: dt.date | None = None,
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> Subscription:
    """Cancel a subscription from ``effective`` (default: today); it is not valid from that day."""
    now = now or time.now()
    policy = resolve_policy(policy)
    Organisation.objects.select_for_update().get(pk=subscription.organisation_id)
    subscription = Subscription.objects.select_related("organisation").get(pk=subscription.pk)
    if subscription.status == Subscription.Status.CANCELLED:
        raise Conflict(
            f"subscription #{subscription.pk} is already cancelled (from {subscription.cancelled_on})",
            code="subscription_already_cancelled",
            details={"subscription": subscription.pk},
        )
    effective = effective or desk_date(at=now, policy=policy)
    if effective > subscription.ends_on:
        raise ValidationFailed(
            f"subscription #{subscription.pk} ends on {subscription.ends_on}; a cancellation "
            f"from {effective} would change nothing",
            code="invalid_dates",
            details={
                "effective": effective.isoformat(),
                "ends_on": subscription.ends_on.isoformat(),
            },
        )
    effective = max(effective, subscription.starts_on)
    subscription.status = Subscription.Status.CANCELLED
    subscription.cancelled_on = effective
    subscription.cancelled_at = now
    subscription.cancel_reason = reason
    subscription.save(update_fields=["status", "cancelled_on", "cancelled_at", "cancel_reason"])
    audit_record(
        actor=actor,
        action="subscription.cancel",
        obj=subscription,
        organisation=subscription.organisation,
        summary=(
            f"cancelled {subscription.plan_id} subscription #{subscription.pk} of "
            f"{subscription.organisation.name} from {effective}" + (f": {reason}" if reason else "")
        ),
        changes={"status": ["active", "cancelled"], "cancelled_on": effective, "reason": reason},
        at=now,
    )
    return subscription


@transaction.atomic
def subscription_change_plan(
    *,
    subscription: Subscription,
    plan_id: str,
    effective: dt.date,
    actor: Actor,
    policy: Policy | None = None,
    now: dt.datetime | None = None,
) -> Subscription:
    """Change plan from ``effective`` to the end of the current term (an upgrade or downgrade).

    The current subscription is cancelled from ``effective`` and a new one on ``plan_id``
    covers ``effective``..end, linked to it; both rows stay.
    """
    policy = resolve_policy(policy)
    Organisation.objects.select_for_update().get(pk=subscription.organisation_id)
    subscription = Subscription.objects.select_related("organisation").get(pk=subscription.pk)
    _require_open(subscription, doing="change")
    plan_of(policy=policy, plan_id=plan_id)
    if plan_id == subscription.plan_id:
        raise ValidationFailed(
            f"subscription #{subscription.pk} is already on {plan_id}", code="same_plan"
        )
    if not subscription.starts_on <= effective <= subscription.ends_on:
        raise ValidationFailed(
            f"the change must take effect within the term {subscription.starts_on}..{subscription.ends_on}",
            code="invalid_dates",
            details={"effective": effective.isoformat()},
        )
    subscription_cancel(
        subscription=subscription,
        actor=actor,
        reason=f"plan change to {plan_id}",
        effective=effective,
        now=now,
        policy=policy,
    )
    return subscription_add(
        organisation=subscription.organisation,
        plan_id=plan_id,
        starts_on=effective,
        ends_on=subscription.ends_on,
        actor=actor,
        policy=policy,
        renewal_of=subscription,
        notes=f"plan change from {subscription.plan_id}",
    )
