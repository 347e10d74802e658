"""A contact's token never reads or changes another organisation's data.

The walk takes every accounts operation from the OpenAPI schema (so a new endpoint joins
it, or fails the test until it gets a request body here), calls it with a contact token of
Acme and Globex's ids, and requires a 403 or 404 in the one error shape, never Globex data.
Operations without an id (``/me``, ``/releases``...) must answer without Globex data.
"""

from __future__ import annotations

import pytest

from sladesk.accounts.models import (
    Agent,
    ApiToken,
    AuditLog,
    Contact,
    Environment,
    Organisation,
    Release,
    Subscription,
)
from tests.accounts.factories import make_agent, make_contact, make_env, make_org, make_token
from tests.api.conftest import Api
from tests.api.test_openapi import PATHS

pytestmark = pytest.mark.django_db

# A valid body for every operation that takes one (so validation cannot hide a leak).
BODIES = {
    ("post", "/api/organisations"): {"name": "Stolen", "domains": ["stolen.example"]},
    ("patch", "/api/organisations/{organisation_id}"): {"name": "Hacked"},
    ("post", "/api/organisations/{organisation_id}/contacts"): {
        "email": "eve@globex.example",
        "name": "Eve",
    },
    ("patch", "/api/contacts/{contact_id}"): {"phone": "0"},
    ("post", "/api/contacts/{contact_id}/replace"): {"email": "eve@globex.example", "name": "Eve"},
    ("post", "/api/organisations/{organisation_id}/environments"): {
        "name": "x",
        "is_production": True,
        "version": "11.10.1",
    },
    ("patch", "/api/environments/{environment_id}"): {"version": "1.0.0"},
    ("post", "/api/organisations/{organisation_id}/subscriptions"): {
        "plan_id": "premier",
        "starts_on": "2030-01-01",
    },
    ("post", "/api/subscriptions/{subscription_id}/renew"): {},
    ("post", "/api/subscriptions/{subscription_id}/cancel"): {"reason": "sabotage"},
    ("post", "/api/subscriptions/{subscription_id}/change-plan"): {
        "plan_id": "professional",
        "effective": "2026-12-01",
    },
    ("put", "/api/releases/{version}"): {"released_on": "2026-01-01"},
    ("post", "/api/requests/check"): {"requester_email": "hans@globex.example", "channel": "email"},
    ("post", "/api/tokens"): {"email": "hans@globex.example", "scopes": ["read"]},
    ("post", "/api/agents"): {
        "email": "eve@sladesk.example",
        "name": "Eve",
        "role": "administrator",
    },
    ("patch", "/api/agents/{agent_id}"): {"role": "administrator"},
    ("patch", "/api/me"): {"phone": "+1 555 0199"},
}

# Operations that name no organisation's object: a contact may call them, and must see
# nothing of Globex in the answer.
OWN = {
    ("get", "/api/me"),
    ("patch", "/api/me"),
    ("get", "/api/me/eligibility"),
    ("get", "/api/organisations"),
    ("get", "/api/releases"),
    ("get", "/api/releases/{version}"),
    ("get", "/api/tokens"),
}


@pytest.fixture
def world(catalogue):
    acme = make_org("Acme Corporation", domains=["acme.example"], plan="premier")
    maria = make_contact(acme, "maria")
    globex = make_org("Globex Corporation", domains=["globex.example"], plan="enterprise")
    hans = make_contact(globex, "hans", name="Hans Globexman")
    env = make_env(globex, "Globex secret cluster")
    make_token(hans.user)
    agent = make_agent()
    ids = {
        "organisation_id": globex.pk,
        "contact_id": hans.pk,
        "environment_id": env.pk,
        "subscription_id": globex.subscriptions.get().pk,
        "token_id": hans.user.api_tokens.get().pk,
        "agent_id": agent.pk,
        "version": "11.10",
    }
    return maria, ids


def operations(client):
    schema = client.get("/api/openapi.json").json()
    for path, ops in schema["paths"].items():
        if path not in PATHS:
            continue
        for method in ops:
            yield method, path


def snapshot(organisation_id):
    """Return everything of one organisation, to show that nothing of it changed."""
    return (
        list(Organisation.objects.filter(pk=organisation_id).values()),
        list(Contact.objects.filter(organisation_id=organisation_id).order_by("pk").values()),
        list(Environment.objects.filter(organisation_id=organisation_id).order_by("pk").values()),
        list(Subscription.objects.filter(organisation_id=organisation_id).order_by("pk").values()),
        list(
            ApiToken.objects.filter(user__contacts__organisation_id=organisation_id)
            .order_by("pk")
            .values()
        ),
        AuditLog.objects.filter(organisation_id=organisation_id).count(),
        Organisation.objects.count(),
        Agent.objects.count(),
        Release.objects.count(),
    )


def leaks(text):
    return [word for word in ("Globex", "globex", "Hans", "secret cluster") if word in text]


def test_every_endpoint_refuses_a_contact_another_organisation_s_ids(client, world):
    maria, ids = world
    api = Api(client, make_token(maria.user, "read", "write"))
    before = snapshot(ids["organisation_id"])
    walked = set()
    for method, path in operations(client):
        walked.add((method, path))
        url = path.removeprefix("/api").format(**ids)
        body = BODIES.get((method, path))
        if method in ("post", "put", "patch"):
            assert body is not None, f"give {method.upper()} {path} a valid body in BODIES"
        response = api.call(method, url, body)
        text = response.content.decode()
        assert not leaks(text), f"{method.upper()} {path} leaked {leaks(text)}: {text}"
        if (method, path) in OWN:
            assert response.status_code < 300, (
                f"{method.upper()} {path}: {response.status_code} {text}"
            )
            continue
        assert response.status_code in (403, 404), (
            f"{method.upper()} {path} answered {response.status_code}: {text}"
        )
        error = response.json()["error"]
        assert error["code"] in ("not_found", "permission_denied"), (
            f"{method.upper()} {path}: {error}"
        )
    assert walked == {(m, p) for p, ms in PATHS.items() for m in ms}
    assert snapshot(ids["organisation_id"]) == before  # nothing of Globex's (or the desk's) changed


def test_listing_a_foreign_organisation_s_children_is_not_found(client, world):
    maria, ids = world
    api = Api(client, make_token(maria.user))
    for child in ("contacts", "environments", "subscriptions"):
        response = api.get(f"/organisations/{ids['organisation_id']}/{child}")
        assert response.status_code == 404
        assert response.json()["error"] == {
            "code": "not_found",
            "message": f"no organisation {ids['organisation_id']}",
            "details": {"type": "organisation", "id": str(ids["organisation_id"])},
        }


def test_a_foreign_id_and_a_missing_id_look_the_same(client, world):
    maria, ids = world
    api = Api(client, make_token(maria.user))
    foreign = api.get(f"/contacts/{ids['contact_id']}").json()["error"]
    missing = api.get("/contacts/999999").json()["error"]
    assert (foreign["code"], missing["code"]) == ("not_found", "not_found")
    assert foreign["message"].replace(str(ids["contact_id"]), "N") == missing["message"].replace(
        "999999", "N"
    )
