"""``sladesk org add|show|list|update``."""

from __future__ import annotations

import pytest

from sladesk.accounts.models import AuditLog, Organisation
from tests.accounts.factories import make_contact, make_env, make_org

pytestmark = pytest.mark.django_db


def test_org_add_creates_an_organisation_with_its_subscription(sladesk):
    out = sladesk(
        "org",
        "add",
        "Acme Corporation",
        "--domain",
        "acme.example,acme-eu.example",
        "--time-zone",
        "America/New_York",
        "--plan",
        "premier",
        "--start",
        "2026-01-01",
        "--end",
        "2026-12-31",
    ).out
    acme = Organisation.objects.get(slug="acme-corporation")
    assert f"Created organisation Acme Corporation (id {acme.pk}, ref acme-corporation)." in out
    assert "premier 2026-01-01..2026-12-31" in out
    assert AuditLog.objects.filter(organisation=acme, via="cli").count() == 2


def test_org_add_refuses_a_taken_domain_in_one_line(sladesk, refused):
    sladesk("org", "add", "Acme", "--domain", "acme.example")
    assert refused("org", "add", "Acme Two", "--domain", "acme.example") == (
        "acme.example already belongs to Acme [domain_taken]"
    )


def test_org_add_needs_plan_and_start_together(refused):
    assert (
        refused("org", "add", "Acme", "--domain", "acme.example", "--plan", "premier")
        == "--plan and --start go together"
    )


def test_org_show_shows_contract_contacts_and_environments(sladesk, catalogue):
    acme = make_org("Acme Corporation", domains=["acme.example"], plan="premier")
    make_contact(acme, "maria", name="Maria Garcia")
    make_env(acme, "legacy", version="9.5.2")
    out = sladesk("org", "show", "acme-corporation").out
    assert "domains:    acme.example" in out
    assert "Maria Garcia <maria@acme.example> [named]" in out
    assert (
        "legacy (production, 9.5.2, package (tarball, deb, rpm)) -- environment runs 9.5.2, not a supported release"
        in out
    )


def test_org_show_of_an_unknown_organisation(refused):
    assert refused("org", "show", "umbrella") == (
        "no organisation 'umbrella' (give its id, reference or exact name) [organisation_not_found]"
    )


def test_org_list_and_update(sladesk):
    make_org("Acme", domains=["acme.example"])
    sladesk(
        "org",
        "update",
        "acme",
        "--domain",
        "acme.example",
        "--domain",
        "acme.test",
        "--notes",
        "vip",
    )
    out = sladesk("org", "list").out
    assert "Acme (acme.example, acme.test)" in out
    assert "1 organisation(s)." in out
