"""Schemas shared by every area of the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema
from ninja.responses import codes_4xx
from pydantic import BaseModel, ConfigDict

from sladesk.core.exceptions import ValidationFailed


class InputSchema(Schema):
    """Base of every request body schema: unknown fields are refused, not ignored.

    A typo such as ``"organisation_id"`` in a body answers 422 ``invalid_input`` naming
    the field rather than silently succeeding without it.
    """

    model_config = ConfigDict(extra="forbid")


class OutputSchema(BaseModel):
    """Base of response schemas the endpoints build field by field.

    A plain pydantic model, not ninja's ``Schema``: ninja's ``Schema`` wraps every
    validation in a getter that reads Django model attributes, which the endpoints do not
    need (they pass values) and which cost more than half of a 50-row queue page.
    """


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(Schema):
    """The one error shape: ``{"error": {"code", "message", "details"}}``."""

    error: ErrorBody


#: Every 4xx answer has the ``ErrorOut`` shape (for the OpenAPI schema).
ERRORS: dict[frozenset[int], type[Schema]] = {codes_4xx: ErrorOut}


def refuse_unknown_query(request: HttpRequest, *known: str) -> None:
    """Refuse query parameters the endpoint does not take (422 ``invalid_input``).

    A typo such as ``?staus=open`` would otherwise be ignored and answer the unfiltered
    list as if the filter had matched everything.
    """
    unknown = sorted(set(request.GET) - set(known))
    if unknown:
        raise ValidationFailed(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} (this endpoint takes: "
            f"{', '.join(sorted(known)) or 'none'})",
            code="invalid_input",
            details={"unknown": unknown, "known": sorted(known)},
        )
