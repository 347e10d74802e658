"""/api/organisations: agents read all, managers write, a contact reads only their own."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import AuditLog, Organisation
from tests.accounts.factories import make_contact, make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def test_a_manager_creates_an_organisation(as_role):
    response = as_role("support_manager").post(
        "/organisations",
        {"name": "Acme", "domains": ["acme.example"], "time_zone": "Europe/Paris", "notes": "vip"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["slug"], body["domains"], body["notes"]) == (
        "Acme",
        "acme",
        ["acme.example"],
        "vip",
    )
    assert (body["plan_id"], body["contact_count"]) == (None, 0)
    assert AuditLog.objects.get(action="organisation.create").via == "api"


def test_the_service_refusal_comes_back_with_its_code(as_role):
    make_org("Globex", domains=["globex.example"])
    response = as_role("support_manager").post(
        "/organisations", {"name": "Acme", "domains": ["globex.example"]}
    )
    assert error(response, 409) == "domain_taken"
    assert response.json()["error"]["message"] == "globex.example already belongs to Globex"


def test_malformed_input_is_422_invalid_input(as_role):
    response = as_role("support_manager").post("/organisations", {"name": "Acme"})
    assert error(response, 422) == "invalid_input"


def test_support_engineers_cannot_create_organisations(as_role):
    response = as_role("support_engineer").post(
        "/organisations", {"name": "Acme", "domains": ["acme.example"]}
    )
    assert error(response, 403) == "permission_denied"
    assert not Organisation.objects.exists()


def test_agents_list_and_search_every_organisation(as_role):
    make_org("Acme", domains=["acme.example"])
    make_org("Globex", domains=["globex.example"])
    engineer = as_role("support_engineer")
    assert [o["name"] for o in engineer.get("/organisations").json()["items"]] == ["Acme", "Globex"]
    assert [o["name"] for o in engineer.get("/organisations", search="globex").json()["items"]] == [
        "Globex"
    ]


def test_a_contact_lists_only_their_organisation_without_internal_notes(api_as):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    make_org("Globex", domains=["globex.example"])
    maria = make_contact(acme, "maria")
    body = api_as(maria.user).get("/organisations").json()
    assert [(o["name"], o["notes"]) for o in body["items"]] == [("Acme", None)]
    detail = api_as(maria.user).get(f"/organisations/{acme.pk}").json()
    assert (detail["plan_id"], detail["named_contact_count"]) == ("premier", 1)


def test_a_manager_updates_an_organisation(as_role):
    acme = make_org("Acme", domains=["acme.example"])
    response = as_role("support_manager").patch(
        f"/organisations/{acme.pk}", {"domains": ["acme.example", "acme.test"]}
    )
    assert response.status_code == 200
    assert response.json()["domains"] == ["acme.example", "acme.test"]


def test_a_contact_cannot_update_their_organisation(api_as):
    acme = make_org("Acme", domains=["acme.example"])
    maria = make_contact(acme, "maria")
    assert (
        error(api_as(maria.user).patch(f"/organisations/{acme.pk}", {"name": "Hacked"}), 403)
        == "permission_denied"
    )


@pytest.mark.parametrize(
    ("path", "typo"),
    [
        ("/organisations", "serach"),
        ("/agents", "page"),
        ("/tokens", "offset"),
        ("/audit", "organisation"),
        ("/me/eligibility", "env"),
        ("/notifications", "unred"),
    ],
)
def test_a_misspelt_query_parameter_is_refused_not_ignored(as_role, path, typo):
    response = as_role("administrator").get(path, **{typo: "1"})
    assert error(response, 422) == "invalid_input"
    body = response.json()["error"]
    assert body["details"]["unknown"] == [typo]
    assert repr(typo) in body["message"] and "this endpoint takes" in body["message"]
