"""Subscriptions: support managers and administrators write; a contact reads their own."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from sladesk.accounts.access import Can, organisation_for, require, require_scope, subscription_for
from sladesk.accounts.models import Subscription
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.selectors import subscription_history
from sladesk.accounts.services import (
    subscription_add,
    subscription_cancel,
    subscription_change_plan,
    subscription_renew,
)
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.pagination import DEFAULT_LIMIT, paginate
from sladesk.api.schemas import ERRORS, InputSchema
from sladesk.core import time

router = Router(tags=["subscriptions"], auth=token_auth)


class SubscriptionOut(Schema):
    id: int
    organisation_id: int
    plan_id: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    cancelled_on: dt.date | None
    policy_version: str
    renewal_of_id: int | None
    valid_today: bool
    cancel_reason: str | None  # agents only
    notes: str | None  # agents only


class SubscriptionPage(Schema):
    items: list[SubscriptionOut]
    next_cursor: str | None


class SubscriptionIn(InputSchema):
    plan_id: str
    starts_on: dt.date
    ends_on: dt.date | None = None  # default: one year
    notes: str = ""


class RenewIn(InputSchema):
    ends_on: dt.date | None = None  # default: one more year
    plan_id: str | None = None  # default: the same plan


class CancelIn(InputSchema):
    reason: str
    effective: dt.date | None = None  # default: today


class ChangePlanIn(InputSchema):
    plan_id: str
    effective: dt.date


def today() -> dt.date:
    """Return today's date in the policy's zone (what "valid today" means)."""
    return desk_date(at=time.now(), policy=current_policy())


def subscription_out(
    subscription: Subscription, *, internal: bool, day: dt.date | None = None
) -> SubscriptionOut:
    day = day or today()
    return SubscriptionOut(
        id=subscription.pk,
        organisation_id=subscription.organisation_id,
        plan_id=subscription.plan_id,
        starts_on=subscription.starts_on,
        ends_on=subscription.ends_on,
        status=subscription.status,
        cancelled_on=subscription.cancelled_on,
        policy_version=subscription.policy_version,
        renewal_of_id=subscription.renewal_of_id,
        valid_today=subscription.is_valid_on(day),
        cancel_reason=subscription.cancel_reason if internal else None,
        notes=subscription.notes if internal else None,
    )


@router.get(
    "/organisations/{organisation_id}/subscriptions", response={200: SubscriptionPage, **ERRORS}
)
def list_subscriptions(
    request: HttpRequest,
    organisation_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> SubscriptionPage:
    """List an organisation's subscriptions, oldest first (the contract history)."""
    who = principal(request)
    organisation = organisation_for(who, organisation_id)
    rows, next_cursor = paginate(
        subscription_history(organisation=organisation), cursor=cursor, limit=limit
    )
    day = today()
    return SubscriptionPage(
        items=[subscription_out(s, internal=who.is_agent, day=day) for s in rows],
        next_cursor=next_cursor,
    )


@router.post(
    "/organisations/{organisation_id}/subscriptions", response={201: SubscriptionOut, **ERRORS}
)
def add_subscription(
    request: HttpRequest, organisation_id: int, payload: SubscriptionIn
) -> Status[SubscriptionOut]:
    """Sell a subscription (terms may not overlap)."""
    who = principal(request)
    organisation = organisation_for(who, organisation_id)
    require(who, Can.WRITE_SUBSCRIPTIONS)
    require_scope(who, "write")
    subscription = subscription_add(
        organisation=organisation, actor=actor(request), **payload.dict()
    )
    return Status(201, subscription_out(subscription, internal=True))


@router.get("/subscriptions/{subscription_id}", response={200: SubscriptionOut, **ERRORS})
def get_subscription(request: HttpRequest, subscription_id: int) -> SubscriptionOut:
    """Show one subscription."""
    who = principal(request)
    return subscription_out(subscription_for(who, subscription_id), internal=who.is_agent)


@router.post("/subscriptions/{subscription_id}/renew", response={201: SubscriptionOut, **ERRORS})
def renew_subscription(
    request: HttpRequest, subscription_id: int, payload: RenewIn
) -> Status[SubscriptionOut]:
    """Renew from the day after the current term (optionally on another plan)."""
    who = principal(request)
    subscription = subscription_for(who, subscription_id)
    require(who, Can.WRITE_SUBSCRIPTIONS)
    require_scope(who, "write")
    renewed = subscription_renew(subscription=subscription, actor=actor(request), **payload.dict())
    return Status(201, subscription_out(renewed, internal=True))


@router.post("/subscriptions/{subscription_id}/cancel", response={200: SubscriptionOut, **ERRORS})
def cancel_subscription(
    request: HttpRequest, subscription_id: int, payload: CancelIn
) -> SubscriptionOut:
    """Cancel from a date (default today); the subscription is not valid from that day."""
    who = principal(request)
    subscription = subscription_for(who, subscription_id)
    require(who, Can.WRITE_SUBSCRIPTIONS)
    require_scope(who, "write")
    cancelled = subscription_cancel(
        subscription=subscription, actor=actor(request), **payload.dict()
    )
    return subscription_out(cancelled, internal=True)


@router.post(
    "/subscriptions/{subscription_id}/change-plan", response={201: SubscriptionOut, **ERRORS}
)
def change_plan(
    request: HttpRequest, subscription_id: int, payload: ChangePlanIn
) -> Status[SubscriptionOut]:
    """Upgrade or downgrade from a date to the end of the term; returns the new subscription."""
    who = principal(request)
    subscription = subscription_for(who, subscription_id)
    require(who, Can.WRITE_SUBSCRIPTIONS)
    require_scope(who, "write")
    changed = subscription_change_plan(
        subscription=subscription, actor=actor(request), **payload.dict()
    )
    return Status(201, subscription_out(changed, internal=True))
