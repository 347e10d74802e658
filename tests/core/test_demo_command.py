"""`sladesk demo` seeds a desk a new user can look around in, and re-running it changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from sladesk.accounts.models import Agent, Organisation
from sladesk.kb.models import Article
from sladesk.packets.models import PacketAnalysis
from sladesk.tickets.models import Attachment, Ticket

# The demo attaches a support packet: its files go to a private media folder.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_prints_the_url_and_every_login_with_the_password():
    output = run_demo()
    assert "sladesk demo desk: http://127.0.0.1:" in output
    assert "password for all: demo-sladesk-2026" in output
    for login in ("maria.garcia@acme.example", "engineer@sladesk.example", "admin@sladesk.example"):
        assert login in output


def test_demo_seeds_one_organisation_per_plan_agents_articles_and_tickets():
    run_demo()
    plans = {sub.plan_id for org in Organisation.objects.all() for sub in org.subscriptions.all()}
    assert plans == {"professional", "enterprise", "premier"}
    assert Agent.objects.count() == 4
    assert Article.objects.exists()
    tickets = Ticket.objects.all()
    assert tickets.count() == 5
    staging = tickets.get(subject="Staging server shows a licence warning")
    assert staging.severity == "L4"  # non-production forces L4, whatever was asked


def counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Ticket.objects.count(),
        Article.objects.count(),
        Attachment.objects.count(),
        PacketAnalysis.objects.count(),
    )


def test_running_demo_twice_changes_nothing():
    run_demo()
    first = counts()
    second = run_demo()
    assert "already present" in second
    assert counts() == first
    assert first[3:] == (1, 1)  # the support packet a customer attached, analysed once


def test_every_demo_ticket_is_assigned_round_robin_on_its_team():
    """A new user's desk shows routing at work: no demo ticket waits unassigned."""
    run_demo()
    for ticket in Ticket.objects.select_related("team", "assignee"):
        assert ticket.assignee is not None, (ticket.subject, ticket.team)
        assert ticket.team in ticket.assignee.teams.all()
    engineer = Agent.objects.get(user__email="engineer@sladesk.example")
    assert [t.slug for t in engineer.teams.all()] == ["support"]
