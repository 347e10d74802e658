"""The Django admin goes through the services: same rules, same refusals, same audit."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import (
    ApiToken,
    AuditLog,
    Contact,
    Environment,
    Organisation,
    Subscription,
)
from tests.accounts.factories import TERM_START, make_agent, make_contact, make_env, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    agent = make_agent("support_manager", email="morgan@sladesk.example")
    client.force_login(agent.user)
    return agent


@pytest.fixture
def administrator(client):
    agent = make_agent("administrator", email="ada@sladesk.example")
    client.force_login(agent.user)
    return agent


def errors(response):
    """Return the page's form error text."""
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def test_adding_an_organisation_calls_the_service(client, manager):
    response = client.post(
        "/admin/accounts/organisation/add/",
        {
            "name": "Acme",
            "slug": "",
            "domains": "acme.example, acme.test",
            "time_zone": "UTC",
            "notes": "",
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, errors(response)
    acme = Organisation.objects.get(slug="acme")
    assert sorted(acme.domains.values_list("domain", flat=True)) == ["acme.example", "acme.test"]
    entry = AuditLog.objects.get(action="organisation.create")
    assert (entry.via, entry.actor) == ("admin", manager.user)


def _empty_inlines():
    data = {}
    for prefix in ("subscriptions", "contacts", "environments"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_a_taken_domain_is_a_form_error_and_nothing_is_created(client, manager):
    make_org("Globex", domains=["globex.example"])
    response = client.post(
        "/admin/accounts/organisation/add/",
        {"name": "Acme", "domains": "globex.example", "time_zone": "UTC", **_empty_inlines()},
    )
    assert errors(response) == "globex.example already belongs to Globex [domain_taken]"
    assert not Organisation.objects.filter(name="Acme").exists()


def test_the_fourth_named_contact_is_refused_in_the_admin(client, manager):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    for name in ("maria", "james", "li"):
        make_contact(acme, name)
    response = client.post(
        "/admin/accounts/contact/add/",
        {
            "organisation": acme.pk,
            "email": "dana@acme.example",
            "name": "Dana",
            "phone": "",
            "role": "",
            "named": "",
        },
    )
    assert errors(response).endswith("[named_contact_limit]")
    assert Contact.objects.count() == 3


def test_a_shared_mailbox_is_refused_in_the_admin(client, manager):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    response = client.post(
        "/admin/accounts/contact/add/",
        {
            "organisation": acme.pk,
            "email": "helpdesk@acme.example",
            "name": "Helpdesk",
            "named": "",
        },
    )
    assert errors(response).endswith("[named_contact_shared_address]")


def test_adding_a_contact_in_the_admin_makes_its_user(client, manager):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    response = client.post(
        "/admin/accounts/contact/add/",
        {
            "organisation": acme.pk,
            "email": "maria@acme.example",
            "name": "Maria",
            "phone": "",
            "role": "CTO",
            "named": "",
        },
    )
    assert response.status_code == 302, errors(response)
    maria = Contact.objects.get()
    assert maria.named is True and maria.user.get_username() == "maria@acme.example"


def test_the_fifth_non_production_environment_is_refused_in_the_admin(client, manager):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    for n in range(4):
        make_env(acme, f"staging {n}", production=False)
    response = client.post(
        "/admin/accounts/environment/add/",
        {
            "organisation": acme.pk,
            "name": "staging 5",
            "version": "11.10.2",
            "edition": "enterprise",
            "database_type": "postgresql",
            "deployment_type": "docker",
            "cluster_size": "1",
            "notes": "",
        },
    )
    assert errors(response).endswith("[non_production_limit]")
    assert Environment.objects.count() == 4


def test_editing_an_environment_goes_through_the_service(client, manager):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    prod = make_env(acme, "prod", version="11.7.9")
    response = client.post(
        f"/admin/accounts/environment/{prod.pk}/change/",
        {
            "name": "prod",
            "is_production": "on",
            "version": "11.10.2",
            "edition": "enterprise",
            "database_type": "postgresql",
            "deployment_type": "package",
            "cluster_size": "1",
            "notes": "",
        },
    )
    assert response.status_code == 302, errors(response)
    assert AuditLog.objects.get(action="environment.update").changes == {
        "version": ["11.7.9", "11.10.2"]
    }


def test_overlapping_subscriptions_are_refused_in_the_admin(client, manager):
    acme = make_org("Acme", domains=["acme.example"], plan="enterprise")
    response = client.post(
        "/admin/accounts/subscription/add/",
        {
            "organisation": acme.pk,
            "plan_id": "premier",
            "starts_on": TERM_START.isoformat(),
            "ends_on": "",
            "notes": "",
        },
    )
    assert errors(response).endswith("[subscription_overlap]")


def test_cancelling_from_the_admin_uses_the_service(client, manager):
    acme = make_org("Acme", domains=["acme.example"], plan="enterprise")
    sub = acme.subscriptions.get()
    response = client.post(
        "/admin/accounts/subscription/", {"action": "cancel_today", "_selected_action": [sub.pk]}
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.CANCELLED
    assert sub.cancel_reason == "cancelled in the admin by morgan@sladesk.example"


def test_nothing_is_deleted_through_the_admin(client, administrator):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    maria = make_contact(acme, "maria")
    assert client.get(f"/admin/accounts/contact/{maria.pk}/delete/").status_code == 403
    assert client.get(f"/admin/accounts/organisation/{acme.pk}/delete/").status_code == 403
    entry = AuditLog.objects.first()
    assert client.get(f"/admin/accounts/auditlog/{entry.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/accounts/auditlog/{entry.pk}/change/", {"summary": "x"}).status_code
        == 403
    )


def test_removing_contacts_is_an_admin_action(client, manager):
    maria = make_contact(make_org("Acme", domains=["acme.example"], plan="premier"), "maria")
    client.post(
        "/admin/accounts/contact/", {"action": "remove_contacts", "_selected_action": [maria.pk]}
    )
    maria.refresh_from_db()
    assert maria.removed_at is not None
    assert AuditLog.objects.filter(action="contact.remove", via="admin").count() == 1


def test_a_token_made_in_the_admin_is_shown_once(client, manager):
    maria = make_contact(make_org("Acme", domains=["acme.example"]), "maria")
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {"email": maria.email, "name": "ci", "scope_choices": ["read"]},
        follow=True,
    )
    (message,) = [str(m) for m in response.context["messages"] if "shown once" in str(m)]
    secret = message.split(": ")[1].split(" ")[0]
    assert secret.startswith("sld_")
    assert ApiToken.objects.get().user == maria.user
    assert secret not in client.get("/admin/accounts/apitoken/").content.decode()


def test_roles_limit_the_admin(client, manager):
    assert client.get("/admin/accounts/organisation/add/").status_code == 200
    assert client.get("/admin/accounts/agent/add/").status_code == 403  # administrators only
    assert client.get("/admin/accounts/release/add/").status_code == 403
    assert (
        client.get("/admin/auth/user/add/").status_code == 403
    )  # users come from agents and contacts


def test_contacts_cannot_use_the_admin(client):
    maria = make_contact(make_org("Acme", domains=["acme.example"]), "maria")
    client.force_login(maria.user)
    assert client.get("/admin/accounts/organisation/").status_code == 302  # to the admin login


def test_an_administrator_adds_an_agent_through_the_service(client, administrator):
    response = client.post(
        "/admin/accounts/agent/add/",
        {
            "email": "sasha@sladesk.example",
            "name": "Sasha",
            "role": "senior_support_engineer",
            "password": "",
            "active": "on",
        },
    )
    assert response.status_code == 302, errors(response)
    assert AuditLog.objects.filter(action="agent.add", via="admin").count() == 1


def test_every_admin_list_page_renders_for_an_administrator(client, administrator, catalogue):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    make_contact(acme, "maria")
    make_env(acme, "prod")
    for model in (
        "organisation",
        "subscription",
        "contact",
        "environment",
        "release",
        "agent",
        "team",
        "apitoken",
        "signinlink",
        "auditlog",
    ):
        assert client.get(f"/admin/accounts/{model}/").status_code == 200, model
        assert client.get(f"/admin/accounts/{model}/add/").status_code in (200, 403), model
    assert client.get(f"/admin/accounts/organisation/{acme.pk}/change/").status_code == 200


def test_an_administrator_edits_the_release_catalogue_through_the_service(client, administrator):
    response = client.post(
        "/admin/accounts/release/add/",
        {
            "version": "11.11",
            "released_on": "2026-09-16",
            "support_ends": "2026-12-15",
            "notes": "",
        },
    )
    assert response.status_code == 302, errors(response)
    bad = client.post(
        "/admin/accounts/release/add/",
        {"version": "11.12", "released_on": "2026-10-16", "extended_support": "on", "notes": ""},
    )
    assert (
        errors(bad)
        == "release (11.12): an extended-support release needs support_ends [invalid_release_file]"
    )
    assert AuditLog.objects.filter(action="release.add", via="admin").count() == 1
