"""The door over HTTP: agents ask whether a request may become a ticket."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from sladesk.accounts.access import Can, require
from sladesk.accounts.door import CHANNELS, Decision, request_check
from sladesk.api.auth import principal, token_auth
from sladesk.api.schemas import ERRORS, InputSchema
from sladesk.core import time
from sladesk.core.exceptions import ValidationFailed

router = Router(tags=["door"], auth=token_auth)


class ReasonOut(Schema):
    code: str
    message: str


class DecisionOut(Schema):
    allowed: bool
    reasons: list[ReasonOut]
    flags: list[ReasonOut]
    channel: str
    at: dt.datetime
    day: dt.date
    policy_version: str
    requester_email: str | None
    organisation_id: int | None
    contact_id: int | None
    subscription_id: int | None
    plan_id: str | None
    environment_id: int | None


class CheckIn(InputSchema):
    channel: str
    requester_email: str
    organisation: str | None = None  # id, reference or exact name; default: the requester's
    environment_id: int | None = None
    at: dt.datetime | None = None  # default: now


def decision_out(decision: Decision, *, for_contact: bool = False) -> DecisionOut:
    """Return the decision as the API shows it (agent flags are hidden from contacts)."""
    data = decision.as_dict()
    if for_contact:
        data["flags"] = []
    return DecisionOut(**data)


@router.post("/requests/check", response={200: DecisionOut, **ERRORS})
def check_request(request: HttpRequest, payload: CheckIn) -> DecisionOut:
    """Decide whether a request may become a ticket: reasons (refusals) and flags for the agent."""
    require(principal(request), Can.CHECK_REQUESTS)
    if payload.channel not in CHANNELS:
        raise ValidationFailed(
            f"unknown channel {payload.channel!r} (one of {', '.join(CHANNELS)})",
            code="invalid_input",
        )
    at = payload.at or time.now()
    if at.tzinfo is None:
        raise ValidationFailed("at must have a UTC offset", code="invalid_input")
    decision = request_check(
        channel=payload.channel,
        at=at,
        requester_email=payload.requester_email,
        organisation=payload.organisation,
        environment=payload.environment_id,
    )
    return decision_out(decision)
