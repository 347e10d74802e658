"""The OpenAPI schema is served and describes every endpoint, its auth and its errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/me": {"get", "patch"},
    "/api/me/eligibility": {"get"},
    "/api/organisations": {"get", "post"},
    "/api/organisations/{organisation_id}": {"get", "patch"},
    "/api/organisations/{organisation_id}/contacts": {"get", "post"},
    "/api/contacts/{contact_id}": {"get", "patch", "delete"},
    "/api/contacts/{contact_id}/replace": {"post"},
    "/api/organisations/{organisation_id}/environments": {"get", "post"},
    "/api/environments/{environment_id}": {"get", "patch", "delete"},
    "/api/organisations/{organisation_id}/subscriptions": {"get", "post"},
    "/api/subscriptions/{subscription_id}": {"get"},
    "/api/subscriptions/{subscription_id}/renew": {"post"},
    "/api/subscriptions/{subscription_id}/cancel": {"post"},
    "/api/subscriptions/{subscription_id}/change-plan": {"post"},
    "/api/releases": {"get"},
    "/api/releases/{version}": {"get", "put", "delete"},
    "/api/requests/check": {"post"},
    "/api/tokens": {"get", "post"},
    "/api/tokens/{token_id}": {"delete"},
    "/api/agents": {"get", "post"},
    "/api/agents/{agent_id}": {"patch"},
    "/api/teams": {"get"},
    "/api/audit": {"get"},
}


def test_the_schema_is_served_and_lists_every_accounts_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = {p: set(ops) for p, ops in schema["paths"].items() if p in PATHS}
    assert paths == PATHS


def test_every_endpoint_needs_a_bearer_token_and_documents_the_error_shape(client):
    schema = client.get("/api/openapi.json").json()
    assert any(
        s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values()
    )
    for path, operations in schema["paths"].items():
        if path == "/api/health":
            continue
        for method, operation in operations.items():
            assert operation.get("security"), f"{method} {path} has no auth"
            assert "ErrorOut" in str(operation["responses"]), (
                f"{method} {path} documents no error shape"
            )
