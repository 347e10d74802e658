"""/api/audit: managers and administrators read the audit log."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_org
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def test_managers_read_the_audit_log_of_an_organisation(as_role):
    acme = make_org("Acme", domains=["acme.example"], plan="premier")
    make_org("Globex", domains=["globex.example"])
    items = as_role("support_manager").get("/audit", organisation_id=acme.pk).json()["items"]
    assert [e["action"] for e in items] == ["organisation.create", "subscription.add"]
    assert items[0]["via"] == "cli"
    assert as_role("support_manager").get("/audit", organisation_id=999999).json()["items"] == []


def test_engineers_do_not_read_the_audit_log(as_role):
    assert error(as_role("support_engineer").get("/audit"), 403) == "permission_denied"
