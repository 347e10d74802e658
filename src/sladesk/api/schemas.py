"""Schemas shared by every area of the API."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.responses import codes_4xx
from pydantic import BaseModel, ConfigDict


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
