"""One JSON error shape for every failure: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from sladesk.accounts.access import Principal
from sladesk.accounts.door import RequestRefused
from sladesk.core.exceptions import DeskError
from sladesk.tickets.uploads import oversized_refusal

#: Keys of a door refusal's details meant for agents only (the door's agent flags, such as
#: "premier: route to the senior support team"). Contacts see the refusal reasons only.
AGENT_ONLY_DOOR_DETAILS = frozenset({"flags"})


def error_body(*, code: str, message: str, details: Any = None) -> dict[str, Any]:
    """Return the error envelope every endpoint uses."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _is_agent(request: HttpRequest) -> bool:
    who = getattr(request, "auth", None)
    return isinstance(who, Principal) and who.is_agent


def audience_details(request: HttpRequest, exc: DeskError) -> Any:
    """Return ``exc.details`` as the caller may see them.

    A door refusal (``RequestRefused``) carries the reasons (meant for the requester) and
    the agent flags; anyone but an agent gets the reasons only.
    """
    details = exc.details
    if isinstance(exc, RequestRefused) and isinstance(details, dict) and not _is_agent(request):
        return {k: v for k, v in details.items() if k not in AGENT_ONLY_DOOR_DETAILS}
    return details


def install_error_handlers(api: NinjaAPI) -> None:
    """Map domain and framework errors onto the one JSON error shape."""

    @api.exception_handler(DeskError)
    def desk_error(request: HttpRequest, exc: DeskError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(code=exc.code, message=exc.message, details=audience_details(request, exc)),
            status=exc.status,
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        too_large = oversized_refusal(request)
        if too_large is not None:  # the file is missing because it was skipped for its size
            return desk_error(request, too_large)
        fields = [
            {"loc": [str(p) for p in err.get("loc", ())], "message": err.get("msg", "")}
            for err in exc.errors
        ]
        first = fields[0] if fields else {"loc": [], "message": "invalid input"}
        message = f"{'.'.join(first['loc'][1:]) or 'body'}: {first['message']}"
        return api.create_response(
            request,
            error_body(code="invalid_input", message=message, details={"fields": fields}),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(
                code="unauthenticated",
                message="missing or invalid credentials: send 'Authorization: Bearer <token>'",
            ),
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(code=f"http_{exc.status_code}", message=str(exc)),
            status=exc.status_code,
        )
