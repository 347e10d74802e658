"""Organisations and their company domains (organisation_create, organisation_update)."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import AuditLog
from sladesk.accounts.services import organisation_create, organisation_update
from sladesk.core.exceptions import DeskError
from tests.accounts.factories import CLI

pytestmark = pytest.mark.django_db


def refused(code, fn, **kwargs):
    with pytest.raises(DeskError) as caught:
        fn(actor=CLI, **kwargs)
    assert caught.value.code == code
    return caught.value.message


def test_an_organisation_has_a_name_a_reference_and_company_domains():
    org = organisation_create(
        name="  Acme   Corporation ",
        domains=["ACME.example", "acme.example", "acme-eu.example"],
        time_zone="Europe/Paris",
        actor=CLI,
    )
    assert org.name == "Acme Corporation"
    assert org.slug == "acme-corporation"
    assert sorted(org.domains.values_list("domain", flat=True)) == [
        "acme-eu.example",
        "acme.example",
    ]
    assert org.time_zone == "Europe/Paris"


def test_names_are_unique_whatever_their_case():
    organisation_create(name="Acme", domains=["acme.example"], actor=CLI)
    assert refused(
        "organisation_name_taken", organisation_create, name="ACME", domains=["other.example"]
    ) == ("an organisation named 'ACME' already exists")


def test_a_domain_belongs_to_one_organisation():
    organisation_create(name="Acme", domains=["acme.example"], actor=CLI)
    assert refused(
        "domain_taken", organisation_create, name="Acme 2", domains=["acme.example"]
    ) == ("acme.example already belongs to Acme")


def test_public_mail_providers_are_not_company_domains():
    assert refused(
        "public_mail_domain", organisation_create, name="Acme", domains=["gmail.com"]
    ) == ("gmail.com is a public mail provider, not a company domain")


def test_an_organisation_needs_a_domain():
    assert refused("domain_required", organisation_create, name="Acme", domains=[" "]) == (
        "an organisation needs at least one company e-mail domain"
    )


def test_the_time_zone_must_exist():
    refused(
        "invalid_time_zone",
        organisation_create,
        name="Acme",
        domains=["acme.example"],
        time_zone="Europe/Atlantis",
    )


def test_a_taken_reference_is_refused():
    organisation_create(name="Acme", domains=["acme.example"], actor=CLI)
    refused("organisation_slug_taken", organisation_create, name="Acme!", domains=["acme2.example"])


def test_update_changes_domains_and_records_what_changed():
    org = organisation_create(name="Acme", domains=["acme.example"], actor=CLI)
    organisation_update(
        organisation=org, domains=["acme.example", "acme.test"], notes="key account", actor=CLI
    )
    assert sorted(org.domains.values_list("domain", flat=True)) == ["acme.example", "acme.test"]
    entry = AuditLog.objects.filter(action="organisation.update").get()
    assert entry.changes == {
        "notes": ["", "key account"],
        "domains": [["acme.example"], ["acme.example", "acme.test"]],
    }
    assert entry.summary == "changed domains, notes of Acme"


def test_an_update_that_changes_nothing_writes_nothing():
    org = organisation_create(name="Acme", domains=["acme.example"], actor=CLI)
    organisation_update(organisation=org, name="Acme", actor=CLI)
    assert not AuditLog.objects.filter(action="organisation.update").exists()


def test_update_keeps_the_domain_rules():
    organisation_create(name="Globex", domains=["globex.example"], actor=CLI)
    org = organisation_create(name="Acme", domains=["acme.example"], actor=CLI)
    refused("domain_taken", organisation_update, organisation=org, domains=["globex.example"])
