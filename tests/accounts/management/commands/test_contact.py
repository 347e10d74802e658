"""``sladesk contact add|remove|replace|list``: the named-contact rules through the CLI."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import Contact
from tests.accounts.factories import make_contact, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return make_org("Acme", domains=["acme.example"], plan="premier")


def test_contact_add_registers_a_named_contact(sladesk, acme):
    out = sladesk(
        "contact", "add", "--org", "acme", "--email", "maria@acme.example", "--name", "Maria Garcia"
    ).out
    assert out.startswith("Added named contact Maria Garcia <maria@acme.example> to Acme")


def test_the_fourth_named_contact_is_refused(sladesk, refused, acme):
    for name in ("maria", "james", "li"):
        make_contact(acme, name)
    assert refused(
        "contact", "add", "--org", "acme", "--email", "dana@acme.example", "--name", "Dana"
    ) == (
        "Acme already has 3 named contacts, the most the premier plan allows (3); "
        "replace one instead (sladesk contact replace) [named_contact_limit]"
    )


def test_a_shared_address_is_refused(refused, acme):
    assert refused(
        "contact", "add", "--org", "acme", "--email", "support+x@acme.example", "--name", "S"
    ).endswith("named contacts must be individuals [named_contact_shared_address]")


def test_contact_replace_and_remove(sladesk, acme):
    make_contact(acme, "maria")
    out = sladesk(
        "contact",
        "replace",
        "--email",
        "maria@acme.example",
        "--new-email",
        "dana@acme.example",
        "--name",
        "Dana",
        "--reason",
        "left",
    ).out
    assert "Replaced named contact maria@acme.example by Dana <dana@acme.example> at Acme." in out
    sladesk("contact", "remove", "--email", "dana@acme.example", "--reason", "left too")
    assert Contact.objects.active().count() == 0
    listing = sladesk("contact", "list", "--org", "acme", "--all").out
    assert "[removed" in listing


def test_removing_a_stranger(refused, acme):
    assert refused("contact", "remove", "--email", "nobody@acme.example") == (
        "nobody@acme.example is not a registered contact [contact_not_found]"
    )
