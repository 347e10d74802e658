"""Fixtures for the API tests: callers with tokens of each kind."""

from __future__ import annotations

import pytest

from sladesk.accounts.actor import Actor
from sladesk.accounts.services import release_catalogue_load, release_file_parse
from sladesk.accounts.services.releases import shipped_catalogue_path
from tests.accounts.factories import make_agent, make_token


class Api:
    """A test client speaking to ``/api`` with ``Authorization: Bearer <token>``."""

    def __init__(self, client, secret: str | None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params, **self.headers)

    def post(self, path, body=None):
        return self.client.post(
            f"/api{path}", body or {}, content_type="application/json", **self.headers
        )

    def patch(self, path, body=None):
        return self.client.patch(
            f"/api{path}", body or {}, content_type="application/json", **self.headers
        )

    def put(self, path, body=None):
        return self.client.put(
            f"/api{path}", body or {}, content_type="application/json", **self.headers
        )

    def delete(self, path, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(f"/api{path}" + (f"?{query}" if query else ""), **self.headers)

    def call(self, method, path, body=None):
        if method in ("get", "delete"):
            return getattr(self, method)(path)
        return getattr(self, method)(path, body)


def error(response, status):
    """Assert the one error shape and return its code."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]["code"]


@pytest.fixture
def api_as(client):
    """Return ``api_as(user, *scopes)`` -> an ``Api`` with a new token of that user."""

    def make(user, *scopes):
        return Api(client, make_token(user, *(scopes or ("read", "write"))))

    return make


@pytest.fixture
def as_role(api_as):
    """Return ``as_role("support_manager")`` -> an ``Api`` for a new agent of that role."""

    def make(role, *scopes):
        return api_as(make_agent(role).user, *scopes)

    return make


@pytest.fixture
def anonymous(client):
    return Api(client, None)


@pytest.fixture
def catalogue(db):
    release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=Actor.system())
