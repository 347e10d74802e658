"""/api/.../contacts: the named-contact rules through the API; a contact edits only their profile."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import Contact
from tests.accounts.factories import make_contact, make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return make_org("Acme", domains=["acme.example"], plan="premier")


def test_a_senior_engineer_registers_named_contacts_up_to_the_limit(as_role, acme):
    senior = as_role("senior_support_engineer")
    for name in ("maria", "james", "li"):
        response = senior.post(
            f"/organisations/{acme.pk}/contacts",
            {"email": f"{name}@acme.example", "name": name.title()},
        )
        assert response.status_code == 201, response.content
        assert response.json()["named"] is True
    fourth = senior.post(
        f"/organisations/{acme.pk}/contacts", {"email": "dana@acme.example", "name": "Dana"}
    )
    assert error(fourth, 409) == "named_contact_limit"
    assert fourth.json()["error"]["details"] == {"limit": 3, "current": 3, "plan": "premier"}


def test_a_shared_address_is_refused(as_role, acme):
    response = as_role("senior_support_engineer").post(
        f"/organisations/{acme.pk}/contacts", {"email": "it+chat@acme.example", "name": "IT"}
    )
    assert error(response, 422) == "named_contact_shared_address"


def test_support_engineers_cannot_register_contacts(as_role, acme):
    response = as_role("support_engineer").post(
        f"/organisations/{acme.pk}/contacts", {"email": "x@acme.example", "name": "X"}
    )
    assert error(response, 403) == "permission_denied"


def test_replacing_a_named_contact(as_role, acme):
    maria = make_contact(acme, "maria")
    response = as_role("senior_support_engineer").post(
        f"/contacts/{maria.pk}/replace",
        {"email": "dana@acme.example", "name": "Dana", "reason": "Maria left"},
    )
    assert response.status_code == 201
    maria.refresh_from_db()
    assert maria.replaced_by_id == response.json()["id"]


def test_removing_a_contact(as_role, acme):
    maria = make_contact(acme, "maria")
    response = as_role("senior_support_engineer").delete(f"/contacts/{maria.pk}", reason="left")
    assert response.status_code == 200 and response.json()["removed_at"] is not None
    assert Contact.objects.get(pk=maria.pk).removal_reason == "left"


def test_a_contact_reads_their_organisation_s_contacts(api_as, acme):
    maria, james = make_contact(acme, "maria"), make_contact(acme, "james")
    body = api_as(maria.user).get(f"/organisations/{acme.pk}/contacts").json()
    assert sorted(c["email"] for c in body["items"]) == [james.email, maria.email]


def test_a_contact_edits_their_own_profile(api_as, acme):
    maria = make_contact(acme, "maria")
    response = api_as(maria.user).patch(
        f"/contacts/{maria.pk}", {"phone": "+1 555 0100", "role": "CTO"}
    )
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["role"]) == ("+1 555 0100", "CTO")


def test_a_contact_cannot_make_themselves_named_or_change_their_address(api_as, acme):
    bob = make_contact(acme, "bob", named=False)
    response = api_as(bob.user).patch(f"/contacts/{bob.pk}", {"named": True})
    assert error(response, 403) == "permission_denied"
    assert response.json()["error"]["message"] == "contacts may not change named (ask the vendor)"
    assert (
        error(api_as(bob.user).patch(f"/contacts/{bob.pk}", {"email": "b@acme.example"}), 403)
        == "permission_denied"
    )


def test_a_contact_cannot_edit_a_colleague(api_as, acme):
    maria, james = make_contact(acme, "maria"), make_contact(acme, "james")
    assert (
        error(api_as(maria.user).patch(f"/contacts/{james.pk}", {"phone": "0"}), 403)
        == "permission_denied"
    )
    assert error(api_as(maria.user).delete(f"/contacts/{james.pk}"), 403) == "permission_denied"


def test_a_named_contact_outside_the_company_domains_is_refused(as_role, acme):
    response = as_role("senior_support_engineer").post(
        f"/organisations/{acme.pk}/contacts", {"email": "maria@gmail.com", "name": "Maria"}
    )
    assert error(response, 422) == "named_contact_domain"
    assert response.json()["error"]["details"] == {
        "email": "maria@gmail.com",
        "domains": ["acme.example"],
    }
