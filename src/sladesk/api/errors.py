"""One JSON error shape for every failure: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from sladesk.core.exceptions import DeskError


def error_body(*, code: str, message: str, details: Any = None) -> dict[str, Any]:
    """Return the error envelope every endpoint uses."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def install_error_handlers(api: NinjaAPI) -> None:
    """Map domain and framework errors onto the one JSON error shape."""

    @api.exception_handler(DeskError)
    def desk_error(request: HttpRequest, exc: DeskError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(code=exc.code, message=exc.message, details=exc.details),
            status=exc.status,
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
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
