"""Reads (sladesk.accounts.selectors)."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.accounts.selectors import (
    organisation_find,
    organisation_for_domain,
    organisation_list,
    subscription_governing,
)
from sladesk.accounts.services import subscription_add
from sladesk.core.exceptions import NotFound
from tests.accounts.factories import CLI, make_org

pytestmark = pytest.mark.django_db


def test_an_organisation_is_found_by_id_reference_or_name():
    acme = make_org("Acme Corporation", domains=["acme.example"])
    assert organisation_find(acme.pk) == acme
    assert organisation_find(str(acme.pk)) == acme
    assert organisation_find("acme-corporation") == acme
    assert organisation_find("ACME corporation") == acme
    with pytest.raises(NotFound) as missing:
        organisation_find("umbrella")
    assert missing.value.code == "organisation_not_found"


def test_the_organisation_of_a_domain_includes_subdomains():
    acme = make_org("Acme", domains=["acme.example"])
    assert organisation_for_domain("acme.example") == acme
    assert organisation_for_domain("mail.eu.acme.example") == acme
    assert organisation_for_domain("example") is None
    assert organisation_for_domain("acme.test") is None


def test_listing_searches_names_and_domains(django_assert_max_num_queries):
    make_org("Acme", domains=["acme.example"])
    make_org("Globex", domains=["globex.example"])
    assert [o.name for o in organisation_list(search="globex.ex")] == ["Globex"]
    with django_assert_max_num_queries(2):  # organisations + their domains, whatever the count
        assert [sorted(d.domain for d in o.domains.all()) for o in organisation_list()] == [
            ["acme.example"],
            ["globex.example"],
        ]


def test_the_governing_subscription_is_today_s_or_the_next_one():
    org = make_org("Initech", domains=["initech.example"], plan=None)
    assert subscription_governing(organisation=org, day=dt.date(2026, 6, 1)) is None
    future = subscription_add(
        organisation=org, plan_id="premier", starts_on=dt.date(2026, 9, 1), actor=CLI
    )
    assert subscription_governing(organisation=org, day=dt.date(2026, 6, 1)) == future
    assert subscription_governing(organisation=org, day=dt.date(2026, 10, 1)) == future
    assert subscription_governing(organisation=org, day=dt.date(2027, 10, 1)) is None
