from __future__ import annotations

import datetime as dt

import pytest

from sladesk.accounts.actor import Actor
from sladesk.accounts.door import RequestRefused
from sladesk.core.exceptions import ValidationFailed
from sladesk.tickets.models import EventKind, Status, TicketClock
from sladesk.tickets.services import ticket_open
from tests.accounts.factories import NOW, make_contact, make_org
from tests.tickets.conftest import CLI, at, open_ticket

pytestmark = pytest.mark.django_db


class TestTicketOpen:
    def test_premier_ticket_snapshot_team_and_first_response(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        assert ticket.plan_id == "premier"
        assert ticket.is_production is True
        assert ticket.server_version == "11.10.2"
        assert ticket.policy_version.startswith("2026.1+")
        assert ticket.status == Status.NEW
        assert ticket.team.slug == "senior"
        assert ticket.assignee == world.senior
        clock = ticket.clocks.get(kind="first_response")
        assert clock.due_at == at("2026-11-25T19:00:00+00:00")  # 1 h in always
        assert clock.target_label == "1 h in always"
        assert ticket.due_at == clock.due_at
        kinds = list(ticket.events.values_list("kind", flat=True))
        assert kinds[:2] == [EventKind.OPENED, EventKind.TRIAGED]
        assert EventKind.ASSIGNED in kinds and EventKind.CLOCK_STARTED in kinds
        assert ticket.messages.get().body.startswith("Since this morning")

    def test_enterprise_routes_to_default_team(self, world):
        ticket = open_ticket(world.gus, severity="L2", environment=world.globex_prod)
        assert ticket.team.slug == "support"
        assert ticket.assignee == world.engineer
        assert ticket.clocks.get(kind="first_response").due_at == at("2026-11-26T02:00:00+00:00")

    def test_enterprise_l4_next_business_day_skips_thanksgiving(self, world):
        ticket = open_ticket(world.gus, severity="L4", environment=world.globex_prod)
        # Thursday 26 November 2026 is Thanksgiving: Friday 17:00 Pacific.
        assert ticket.clocks.get(kind="first_response").due_at == at("2026-11-28T01:00:00+00:00")

    def test_non_production_forces_l4_with_reason(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_staging)
        assert ticket.severity == "L4"
        assert ticket.requested_severity == "L1"
        assert "not production" in ticket.severity_reason
        assert ticket.is_production is False
        codes = [f["code"] for f in ticket.flags]
        assert "non_production" in codes
        assert ticket.clocks.get(kind="first_response").target_label == "24 h in weekday_24x5"

    def test_no_environment_is_flagged_for_agents(self, world):
        ticket = open_ticket(world.gus)
        flag = next(f for f in ticket.flags if f["code"] == "environment_unknown")
        assert flag["audience"] == "agents"
        assert ticket.is_production is True

    def test_suggested_level_from_characteristics(self, world):
        ticket = open_ticket(
            world.gus,
            severity="L3",
            subject="Production server crashes",
            description="The production system hangs and crashes every hour; we see data corruption.",
        )
        assert ticket.suggested_severity == "L1"
        assert "production system hangs or crashes" in ticket.suggestion_reason
        assert ticket.severity == "L3"  # a suggestion never changes the level

    def test_no_suggestion_when_nothing_matches(self, world):
        ticket = open_ticket(
            world.gus, subject="Hello", description="Please call me back about the invoice."
        )
        assert ticket.suggested_severity == ""

    def test_unsupported_release_is_flagged_not_dropped(self, world):
        from tests.accounts.factories import make_env

        old = make_env(world.enterprise, "old prod", version="9.5.2")
        ticket = open_ticket(world.gus, environment=old)
        flag = next(f for f in ticket.flags if f["code"] == "unsupported_release")
        assert flag["audience"] == "all"
        assert "9.5" in flag["message"]
        assert flag["pointer"] == "Upgrade to a supported release."

    def test_no_agent_on_shift_leaves_unassigned(self, world):
        from sladesk.tickets.services import agent_availability_set

        agent_availability_set(agent=world.engineer, on_shift=False, actor=CLI, now=NOW)
        ticket = open_ticket(world.gus)
        assert ticket.assignee is None
        assigned = ticket.events.get(kind=EventKind.ASSIGNED)
        assert "no agent of the team is on shift" in assigned.data["reason"]

    def test_by_email_for_requester(self, world):
        ticket = ticket_open(
            channel="email",
            subject="Login fails",
            description="SAML login fails with an error.",
            severity="L3",
            category="configuration",
            requester_email="GUS@globex.example",
            actor=Actor.system(label="mail ingest"),
            now=NOW,
        )
        assert ticket.requester == world.gus
        assert ticket.channel == "email"

    def test_cli_on_behalf_of_contact(self, world):
        ticket = ticket_open(
            channel="cli",
            subject="Login fails",
            description="SAML login fails with an error.",
            severity="L3",
            category="configuration",
            requester_email=world.peter.email,
            actor=CLI,
            now=NOW,
        )
        assert ticket.plan_id == "professional"
        assert any(f["code"] == "agent_entered" for f in ticket.flags)


class TestTicketOpenRefusals:
    def test_stranger_refused_with_door_code(self, world):
        with pytest.raises(RequestRefused) as caught:
            ticket_open(
                channel="email",
                subject="Help",
                description="Help me",
                severity="L3",
                category="question",
                requester_email="someone@gmail.com",
                actor=Actor.system(),
                now=NOW,
            )
        assert caught.value.code == "unknown_organisation"

    def test_not_a_contact(self, world):
        with pytest.raises(RequestRefused) as caught:
            ticket_open(
                channel="email",
                subject="Help",
                description="Help me",
                severity="L3",
                category="question",
                requester_email="stranger@globex.example",
                actor=Actor.system(),
                now=NOW,
            )
        assert caught.value.code == "not_a_contact"

    def test_no_valid_subscription(self, world):
        org = make_org("Lapsed Ltd", domains=["lapsed.example"], plan=None)
        contact = make_contact(org, "lee")
        with pytest.raises(RequestRefused) as caught:
            open_ticket(contact)
        assert caught.value.code == "no_subscription"

    def test_expired_subscription(self, world):
        org = make_org(
            "Old Co",
            domains=["old.example"],
            plan="enterprise",
            starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2025, 12, 31),
        )
        contact = make_contact(org, "olga")
        with pytest.raises(RequestRefused) as caught:
            open_ticket(contact)
        assert caught.value.code == "subscription_expired"

    def test_email_not_in_professional_plan(self, world):
        with pytest.raises(RequestRefused) as caught:
            ticket_open(
                channel="email",
                subject="Help",
                description="Help me please",
                severity="L3",
                category="question",
                requester_email=world.peter.email,
                actor=Actor.system(),
                now=NOW,
            )
        assert caught.value.code == "channel_not_in_plan"

    def test_premier_requires_named_contact(self, world):
        unnamed = make_contact(world.premier, "bob", named=False)
        with pytest.raises(RequestRefused) as caught:
            open_ticket(unnamed)
        assert caught.value.code == "not_named_contact"

    def test_agent_cannot_be_requester(self, world):
        with pytest.raises(RequestRefused) as caught:
            open_ticket(world.engineer)
        assert caught.value.code == "requester_is_agent"

    def test_environment_of_other_organisation(self, world):
        with pytest.raises(RequestRefused) as caught:
            open_ticket(world.gus, environment=world.acme_prod)
        assert caught.value.code == "environment_other_organisation"

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("severity", "L9", "unknown_severity"),
            ("category", "gossip", "unknown_category"),
            ("subject", "   ", "subject_required"),
            ("description", "", "description_required"),
            ("subject", "x" * 301, "subject_too_long"),
            ("channel", "pigeon", "unknown_channel"),
        ],
    )
    def test_invalid_input(self, world, field, value, code):
        with pytest.raises(ValidationFailed) as caught:
            open_ticket(world.gus, **{field: value})
        assert caught.value.code == code

    def test_refusal_writes_nothing(self, world):
        with pytest.raises(RequestRefused):
            ticket_open(
                channel="email",
                subject="Help",
                description="Help",
                severity="L3",
                category="question",
                requester_email="x@gmail.com",
                actor=Actor.system(),
                now=NOW,
            )
        assert TicketClock.objects.count() == 0


class TestEveryChannelGoesThroughTheDoor:
    @pytest.mark.parametrize("channel", ["portal", "email", "api", "cli", "chat"])
    def test_allowed(self, world, channel):
        by_user = channel in ("portal", "api")
        ticket = ticket_open(
            channel=channel,
            subject="Login fails",
            description="SAML login fails with an error.",
            severity="L3",
            category="configuration",
            requester_email=None if by_user else world.maria.email,
            actor=world.actor(world.maria) if by_user else CLI,
            now=NOW,
        )
        assert ticket.channel == channel and ticket.requester == world.maria
        assert ticket.events.get(kind="opened").data["channel"] == channel

    @pytest.mark.parametrize("channel", ["portal", "email", "api", "cli", "chat"])
    def test_refused(self, world, channel):
        from sladesk.accounts.services import contact_remove

        contact_remove(contact=world.gus, reason="left", actor=CLI, now=NOW)
        with pytest.raises(RequestRefused) as caught:
            ticket_open(
                channel=channel,
                subject="Login fails",
                description="SAML login fails with an error.",
                severity="L3",
                category="configuration",
                requester_email=world.gus.email,
                actor=CLI,
                now=NOW,
            )
        assert caught.value.code == "not_a_contact"
        assert caught.value.details["reasons"][0]["code"] == "not_a_contact"


def test_requester_required(world):
    with pytest.raises(ValidationFailed) as caught:
        ticket_open(
            channel="email",
            subject="S",
            description="D",
            severity="L3",
            category="bug",
            actor=CLI,
            now=NOW,
        )
    assert caught.value.code == "requester_required"
