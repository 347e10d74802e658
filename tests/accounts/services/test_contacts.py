"""Contacts and named contacts (contact_add, contact_update, contact_remove, contact_replace).

Policy: "Premier requests must be filed by one of at most three named contacts of the
organisation. A named contact has an e-mail address at one of the organisation's company
domains and is an individual: shared or group addresses ... are refused."
"""

from __future__ import annotations

import pytest

from sladesk.accounts.models import ApiToken, AuditLog, Contact
from sladesk.accounts.services import contact_add, contact_remove, contact_replace, contact_update
from sladesk.core.exceptions import DeskError
from tests.accounts.factories import CLI, NOW, make_agent, make_contact, make_org, make_token

pytestmark = pytest.mark.django_db


def refused(code, fn, **kwargs):
    with pytest.raises(DeskError) as caught:
        fn(actor=CLI, now=NOW, **kwargs)
    assert caught.value.code == code
    return caught.value.message


@pytest.fixture
def acme():
    return make_org("Acme Corporation", domains=["acme.example"], plan="premier")


def add(org, email, **kwargs):
    return contact_add(
        organisation=org,
        email=email,
        name=kwargs.pop("name", "Someone"),
        actor=CLI,
        now=NOW,
        **kwargs,
    )


def test_on_premier_contacts_are_named_contacts_and_sign_in_with_their_email(acme):
    maria = add(
        acme,
        "Maria.Garcia@acme.example",
        name="Maria Garcia",
        phone="+1 555 0100",
        role="IT director",
    )
    assert maria.named is True
    assert maria.email == "maria.garcia@acme.example"
    assert maria.user.get_username() == "maria.garcia@acme.example"
    assert maria.user.has_usable_password() is False  # passwordless link, or a password set later


def test_premier_allows_three_named_contacts_and_refuses_the_fourth(acme):
    for name in ("maria", "james", "li"):
        add(acme, f"{name}@acme.example")
    assert refused(
        "named_contact_limit",
        contact_add,
        organisation=acme,
        email="dana@acme.example",
        name="Dana",
    ) == (
        "Acme Corporation already has 3 named contacts, the most the premier plan allows (3); "
        "replace one instead (sladesk contact replace)"
    )


def test_a_named_contact_must_use_a_company_address(acme):
    assert refused(
        "named_contact_domain",
        contact_add,
        organisation=acme,
        email="maria@gmail.com",
        name="Maria",
    ) == (
        "maria@gmail.com is not at a company domain of Acme Corporation (acme.example); "
        "named contacts must use a company address"
    )


def test_a_subdomain_of_a_company_domain_is_a_company_address(acme):
    assert add(acme, "maria@eu.acme.example").named is True


@pytest.mark.parametrize(
    "local",
    [
        "support",
        "it",
        "admins",
        "team",
        "info",
        "noc",
        "helpdesk",
        "ops",
        "all",
        "support+premier",
        "NOC+pager",
    ],
)
def test_shared_or_group_addresses_cannot_be_named_contacts(acme, local):
    message = refused(
        "named_contact_shared_address",
        contact_add,
        organisation=acme,
        email=f"{local}@acme.example",
        name="Shared",
    )
    base = local.split("+")[0].lower()
    assert (
        message
        == f"{local.lower()}@acme.example is a shared or group address ({base}@); named contacts must be individuals"
    )


def test_on_enterprise_there_is_no_contact_limit_and_contacts_are_not_named():
    globex = make_org("Globex", domains=["globex.example"], plan="enterprise")
    contacts = [add(globex, f"admin{n}@globex.example") for n in range(6)]
    assert [c.named for c in contacts] == [False] * 6


def test_on_enterprise_a_shared_mailbox_may_be_an_ordinary_contact():
    """The policy refuses role addresses for named contacts only (refuse_role_addresses)."""
    globex = make_org("Globex", domains=["globex.example"], plan="enterprise")
    assert add(globex, "it@globex.example").named is False


def test_every_contact_needs_a_company_address_when_the_policy_says_so():
    globex = make_org("Globex", domains=["globex.example"], plan="enterprise")
    assert refused(
        "contact_domain", contact_add, organisation=globex, email="hans@gmail.com", name="Hans"
    ) == (
        "hans@gmail.com is not at a company domain of Globex (globex.example); contacts must use a company address"
    )


def test_a_premier_customer_may_register_an_ordinary_contact_who_cannot_file(acme):
    bob = add(acme, "bob@acme.example", named=False)
    assert bob.named is False


def test_an_address_is_one_contact_at_a_time(acme):
    add(acme, "maria@acme.example")
    assert refused(
        "contact_exists", contact_add, organisation=acme, email="MARIA@acme.example", name="Maria"
    ) == ("maria@acme.example is already a contact of Acme Corporation")


def test_an_agent_cannot_be_a_contact(acme):
    make_agent(email="sam@acme.example")
    refused("email_is_agent", contact_add, organisation=acme, email="sam@acme.example", name="Sam")


def test_removing_a_contact_keeps_the_row_and_stops_sign_in_and_tokens(acme):
    maria = add(acme, "maria@acme.example")
    make_token(maria.user)
    contact_remove(contact=maria, reason="left the company", actor=CLI, now=NOW)
    maria.refresh_from_db()
    assert maria.removed_at == NOW and maria.removal_reason == "left the company"
    assert maria.user.is_active is False
    assert ApiToken.objects.filter(user=maria.user, revoked_at__isnull=True).count() == 0
    refused("contact_removed", contact_remove, contact=maria)


def test_a_removed_named_contact_frees_a_slot(acme):
    first = [add(acme, f"{n}@acme.example") for n in ("maria", "james", "li")]
    contact_remove(contact=first[0], actor=CLI, now=NOW)
    assert add(acme, "dana@acme.example").named is True


def test_a_former_contact_can_be_registered_again(acme):
    maria = add(acme, "maria@acme.example")
    contact_remove(contact=maria, actor=CLI, now=NOW)
    again = add(acme, "maria@acme.example")
    assert again.pk != maria.pk and again.user == maria.user
    assert again.user.is_active is True


def test_replacing_a_named_contact_is_one_audited_step_at_the_limit(acme):
    maria, _, _ = (add(acme, f"{n}@acme.example") for n in ("maria", "james", "li"))
    dana = contact_replace(
        contact=maria,
        email="dana@acme.example",
        name="Dana Scully",
        reason="Maria left",
        actor=CLI,
        now=NOW,
    )
    maria.refresh_from_db()
    assert dana.named is True
    assert maria.removed_at is not None and maria.replaced_by == dana
    entry = AuditLog.objects.get(action="contact.replace")
    assert (
        entry.summary
        == "replaced named contact maria@acme.example by Dana Scully <dana@acme.example> at Acme Corporation: Maria left"
    )
    assert Contact.objects.active().filter(organisation=acme, named=True).count() == 3


def test_the_replacement_must_pass_the_named_contact_rules(acme):
    maria = add(acme, "maria@acme.example")
    refused(
        "named_contact_shared_address",
        contact_replace,
        contact=maria,
        email="support@acme.example",
        name="Support",
    )
    maria.refresh_from_db()
    assert maria.removed_at is None  # nothing happened


def test_replacing_by_the_same_person_is_refused(acme):
    maria = add(acme, "maria@acme.example")
    refused(
        "replace_same_contact",
        contact_replace,
        contact=maria,
        email="maria@acme.example",
        name="Maria",
    )


def test_update_changes_the_profile_and_the_sign_in_name(acme):
    maria = add(acme, "maria@acme.example")
    contact_update(
        contact=maria, email="maria.garcia@acme.example", phone="+1 555 0101", actor=CLI, now=NOW
    )
    maria.refresh_from_db()
    assert maria.user.get_username() == "maria.garcia@acme.example"
    assert maria.phone == "+1 555 0101"


def test_making_an_ordinary_contact_named_applies_the_limit(acme):
    for n in ("maria", "james", "li"):
        add(acme, f"{n}@acme.example")
    bob = add(acme, "bob@acme.example", named=False)
    refused("named_contact_limit", contact_update, contact=bob, named=True)


def test_making_a_shared_mailbox_named_is_refused():
    globex = make_org("Globex", domains=["globex.example"], plan="enterprise")
    it = add(globex, "it@globex.example")
    refused("named_contact_shared_address", contact_update, contact=it, named=True)


def test_contacts_can_be_registered_before_the_contract_starts():
    """Limits come from the subscription valid today, else the next one to start."""
    import datetime as dt

    org = make_org(
        "Initech",
        domains=["initech.example"],
        plan="premier",
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    assert make_contact(org, "peter").named is True
