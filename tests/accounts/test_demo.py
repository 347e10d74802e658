"""The demo seed (``sladesk demo`` / ``make run``): made through the services, idempotent."""

from __future__ import annotations

import io

import pytest

from sladesk.accounts.demo import DEMO_PASSWORD, seed_demo
from sladesk.accounts.door import request_check
from sladesk.accounts.models import (
    Agent,
    AuditLog,
    Contact,
    Environment,
    Organisation,
    Release,
    Subscription,
)
from sladesk.core import time

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (Organisation, Subscription, Contact, Environment, Agent, Release, AuditLog)
    ]


def test_the_demo_has_one_organisation_per_plan_and_an_agent_per_role():
    out = io.StringIO()
    result = seed_demo(stdout=out)
    assert result.created is True
    plans = dict(Subscription.objects.values_list("organisation__slug", "plan_id"))
    assert plans == {"northwind": "professional", "globex": "enterprise", "acme": "premier"}
    assert sorted(Agent.objects.values_list("role", flat=True)) == sorted(Agent.Role.values)
    assert Contact.objects.filter(organisation__slug="acme", named=True).count() == 3
    assert Agent.objects.get(role="senior_support_engineer").teams.get().slug == "senior"
    assert "Acme Corporation: created (premier until" in out.getvalue()
    assert not AuditLog.objects.exclude(via="demo").exclude(via="system").exists()


def test_running_it_again_changes_nothing():
    seed_demo()
    before = counts()
    out = io.StringIO()
    result = seed_demo(stdout=out)
    assert result.created is False
    assert counts() == before
    assert "Demo data already present; nothing changed." in out.getvalue()
    assert "Acme Corporation: already present." in out.getvalue()


def test_every_demo_login_works_with_the_demo_password(client):
    result = seed_demo()
    assert result.password == DEMO_PASSWORD == "demo-sladesk-2026"
    assert len(result.logins) == 2 + 2 + 3 + 4
    for login in result.logins:
        assert client.login(username=login.email, password=DEMO_PASSWORD), login
        client.logout()
    roles = {login.email: (login.role, login.organisation) for login in result.logins}
    assert roles["maria.garcia@acme.example"] == ("named contact", "Acme Corporation")
    assert roles["admin@sladesk.example"] == ("administrator", "")


def test_the_demo_shows_the_unsupported_release_flag():
    seed_demo()
    legacy = Environment.objects.get(version="9.5.2")
    decision = request_check(
        requester_email="hans.mueller@globex.example",
        channel="email",
        environment=legacy,
        at=time.now(),
    )
    assert decision.allowed is True
    assert "unsupported_release" in decision.flag_codes
