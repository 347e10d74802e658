"""The REST API (django-ninja): one ``NinjaAPI`` that area routers attach to.

OpenAPI 3 schema at ``/api/openapi.json``, interactive docs at ``/api/docs``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

import sladesk
from sladesk.api.errors import install_error_handlers

api = NinjaAPI(
    title="sladesk API",
    version=sladesk.__version__,
    description=(
        "The sladesk support desk. Authenticate with `Authorization: Bearer <token>` "
        "(create a token with `sladesk token create --email E`). Errors always have the "
        'shape `{"error": {"code": ..., "message": ..., "details": {...}}}`.'
    ),
    urls_namespace="api",
)
install_error_handlers(api)


class HealthOut(Schema):
    status: str
    version: str
    policy_version: str


@api.get("/health", response=HealthOut, auth=None, tags=["meta"])
def health(request: HttpRequest) -> HealthOut:
    """Report that the desk is up and which policy it runs."""
    from sladesk.policy import get_policy

    return HealthOut(status="ok", version=sladesk.__version__, policy_version=get_policy().version)
