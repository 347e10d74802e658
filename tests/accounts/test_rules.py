"""Address rules shared by every interface (sladesk.accounts.rules)."""

from __future__ import annotations

import pytest

from sladesk.accounts.rules import (
    domain_matches,
    normalise_domain,
    normalise_email,
    shared_local_part,
    split_list,
    validate_time_zone,
)
from sladesk.core.exceptions import ValidationFailed

ROLE_PARTS = {"support", "it", "admins", "team", "info", "noc", "helpdesk", "ops", "all"}


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("support@acme.example", "support"),
        ("IT@acme.example", "it"),
        ("support+acme@acme.example", "support"),  # a +-tag aliases the shared mailbox
        ("noc+pager+night@acme.example", "noc"),
        ("all@acme.example", "all"),
        ("maria.garcia@acme.example", None),
        ("maria+support@acme.example", None),  # the tag is not the mailbox
        ("itsupport@acme.example", None),
    ],
)
def test_shared_mailboxes_are_recognised_through_plus_tags(email, role):
    assert shared_local_part(email, ROLE_PARTS) == role


def test_company_domains_include_their_subdomains():
    assert domain_matches("eu.acme.example", ["acme.example"]) is True
    assert domain_matches("acme.example", ["acme.example"]) is True
    assert domain_matches("notacme.example", ["acme.example"]) is False


def test_emails_are_normalised_to_lower_case():
    assert normalise_email("  Maria.Garcia@ACME.example ") == "maria.garcia@acme.example"


def test_a_malformed_email_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        normalise_email("maria at acme")
    assert refused.value.code == "invalid_email"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("gmail.com", "public_mail_domain"),
        ("not a domain", "invalid_domain"),
        ("acme", "invalid_domain"),
    ],
)
def test_bad_company_domains_are_refused(value, code):
    with pytest.raises(ValidationFailed) as refused:
        normalise_domain(value)
    assert refused.value.code == code


def test_domains_are_normalised():
    assert normalise_domain("@ACME.example.") == "acme.example"


def test_lists_split_on_commas_semicolons_and_spaces():
    assert split_list("a.example; b.example, c.example d.example") == [
        "a.example",
        "b.example",
        "c.example",
        "d.example",
    ]


def test_time_zones_must_be_iana_names():
    assert validate_time_zone("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(ValidationFailed) as refused:
        validate_time_zone("Mars/Olympus")
    assert refused.value.code == "invalid_time_zone"
