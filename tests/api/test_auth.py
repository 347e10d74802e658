"""Bearer tokens: missing, wrong, revoked, expired and read-only tokens."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.accounts.models import ApiToken
from sladesk.accounts.services import api_token_create, api_token_revoke
from tests.accounts.factories import CLI, make_contact, make_org
from tests.api.conftest import Api, error

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria():
    return make_contact(make_org("Acme", domains=["acme.example"], plan="premier"), "maria")


def test_no_token_is_401_with_the_error_shape(anonymous):
    response = anonymous.get("/organisations")
    assert error(response, 401) == "unauthenticated"
    assert "Bearer" in response.json()["error"]["message"]


def test_a_wrong_token_is_401(client, maria):
    assert error(Api(client, "sld_not-a-real-token").get("/me"), 401) == "unauthenticated"
    response = client.get("/api/me", HTTP_AUTHORIZATION="Basic bWFyaWE6eA==")
    assert error(response, 401) == "unauthenticated"


def test_a_revoked_token_is_401(client, maria):
    token, secret = api_token_create(user=maria.user, actor=CLI)
    assert Api(client, secret).get("/me").status_code == 200
    api_token_revoke(token=token, actor=CLI)
    assert error(Api(client, secret).get("/me"), 401) == "unauthenticated"


def test_an_expired_token_is_401(client, maria):
    token, secret = api_token_create(
        user=maria.user, actor=CLI, expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=token.pk)  # expiry is checked at each request
    assert Api(client, secret).get("/me").status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    from unittest import mock

    with mock.patch("sladesk.core.time.now", return_value=later):
        assert error(Api(client, secret).get("/me"), 401) == "unauthenticated"


def test_a_removed_contact_s_token_stops_working(client, maria):
    from sladesk.accounts.services import contact_remove

    _, secret = api_token_create(user=maria.user, actor=CLI)
    contact_remove(contact=maria, actor=CLI)
    assert error(Api(client, secret).get("/me"), 401) == "unauthenticated"


def test_a_read_only_token_cannot_write(api_as, maria):
    reader = api_as(maria.user, "read")
    assert error(reader.patch("/me", {"phone": "555"}), 403) == "scope_missing"


def test_use_is_recorded(api_as, maria):
    api_as(maria.user).get("/me")
    assert ApiToken.objects.get(user=maria.user).last_used_at is not None
