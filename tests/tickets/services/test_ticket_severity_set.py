from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sladesk.accounts.models import AuditLog
from sladesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from sladesk.policy import get_policy
from sladesk.tickets.models import EventKind
from sladesk.tickets.services import (
    RETARGET_RULE,
    ticket_reply,
    ticket_severity_set,
    ticket_status_set,
)
from tests.accounts.factories import NOW
from tests.tickets.conftest import open_ticket

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def clock(ticket, kind):
    return ticket.clocks.filter(kind=kind).order_by("-seq").first()


class TestRetarget:
    def test_new_target_counted_from_original_start(self, world):
        ticket = open_ticket(
            world.maria, severity="L3", environment=world.acme_prod
        )  # 8 h weekday_24x5
        assert clock(ticket, "first_response").due_at == NOW + 8 * H
        ticket_severity_set(
            ticket=ticket,
            severity="L1",
            reason="whole site down",
            actor=world.actor(world.senior),
            now=NOW + 0.25 * H,
        )
        first = clock(ticket, "first_response")
        assert (
            first.due_at == NOW + H
            and first.severity == "L1"
            and first.target_label == "1 h in always"
        )
        ticket.refresh_from_db()
        assert ticket.severity == "L1" and ticket.severity_rank == 1 and ticket.due_at == NOW + H
        event = ticket.events.get(kind=EventKind.SEVERITY_SET)
        assert event.data["rule"] == RETARGET_RULE == "reapply_from_start"
        assert event.data["reason"] == "whole site down"
        assert event.data["clocks"][0]["to"]["severity"] == "L1"
        assert AuditLog.objects.filter(
            action="ticket.severity_set", object_id=str(ticket.pk)
        ).exists()

    def test_downgrade_extends_when_not_yet_breached(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_severity_set(
            ticket=ticket,
            severity="L3",
            reason="one user only",
            actor=world.actor(world.senior),
            now=NOW + 0.5 * H,
        )
        assert clock(ticket, "first_response").due_at == NOW + 8 * H

    def test_already_breached_clock_keeps_its_due(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_severity_set(
            ticket=ticket,
            severity="L3",
            reason="one user only",
            actor=world.actor(world.senior),
            now=NOW + 2 * H,
        )
        first = clock(ticket, "first_response")
        assert first.due_at == NOW + H and first.severity == "L1"
        event = ticket.events.get(kind=EventKind.SEVERITY_SET)
        assert event.data["clocks"][0]["kept"] == "already breached"

    def test_met_clock_is_not_retargeted(self, world):
        ticket = open_ticket(world.maria, severity="L3", environment=world.acme_prod)
        ticket_reply(ticket=ticket, body="hi", actor=world.actor(world.senior), now=NOW + H)
        ticket_severity_set(
            ticket=ticket,
            severity="L1",
            reason="worse",
            actor=world.actor(world.senior),
            now=NOW + 2 * H,
        )
        first = clock(ticket, "first_response")
        assert first.severity == "L3" and first.breached is False

    def test_paused_clock_keeps_pauses(self, world):
        ticket = open_ticket(world.maria, severity="L3", environment=world.acme_prod)
        agent = world.actor(world.senior)
        ticket_reply(ticket=ticket, body="hi", actor=agent, now=NOW + 0.5 * H)
        ticket_reply(
            ticket=ticket, body="more", actor=world.actor(world.maria), now=NOW + H
        )  # next reply 24 h
        ticket_status_set(ticket=ticket, status="waiting_on_customer", actor=agent, now=NOW + 2 * H)
        ticket_severity_set(
            ticket=ticket, severity="L1", reason="worse", actor=agent, now=NOW + 3 * H
        )
        nxt = clock(ticket, "next_reply")
        assert nxt.state == "paused" and nxt.target_label == "2 h in always"
        ticket_status_set(ticket=ticket, status="open", actor=agent, now=NOW + 4 * H)
        # 1 h counted before the pause, 1 h left from NOW+4h.
        assert clock(ticket, "next_reply").due_at == NOW + 5 * H

    def test_warnings_already_recorded_are_kept_only_if_still_crossed(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        first = clock(ticket, "first_response")
        first.warned = 2
        first.save(update_fields=["warned"])
        ticket_severity_set(
            ticket=ticket,
            severity="L3",
            reason="minor",
            actor=world.actor(world.senior),
            now=NOW + 0.95 * H,
        )
        first = clock(ticket, "first_response")
        assert first.warned == 0  # 75 % of 8 h is not reached yet: warn again later
        assert first.next_check_at == NOW + 6 * H


class TestRefusals:
    def test_reason_required(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(ValidationFailed) as caught:
            ticket_severity_set(
                ticket=ticket, severity="L1", reason=" ", actor=world.actor(world.engineer), now=NOW
            )
        assert caught.value.code == "reason_required"

    def test_unchanged(self, world):
        ticket = open_ticket(world.gus, severity="L2")
        with pytest.raises(Conflict) as caught:
            ticket_severity_set(
                ticket=ticket, severity="L2", reason="x", actor=world.actor(world.engineer), now=NOW
            )
        assert caught.value.code == "severity_unchanged"

    def test_unknown(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(ValidationFailed) as caught:
            ticket_severity_set(
                ticket=ticket, severity="P0", reason="x", actor=world.actor(world.engineer), now=NOW
            )
        assert caught.value.code == "unknown_severity"

    def test_contacts_may_not(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied) as caught:
            ticket_severity_set(
                ticket=ticket, severity="L1", reason="x", actor=world.actor(world.gus), now=NOW
            )
        assert caught.value.code == "not_an_agent"

    def test_non_production_override_allowed_by_default_policy(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_staging)
        ticket_severity_set(
            ticket=ticket,
            severity="L2",
            reason="staging blocks the release",
            actor=world.actor(world.senior),
            now=NOW,
        )
        ticket.refresh_from_db()
        assert "non-production override" in ticket.severity_reason
        assert ticket.events.get(kind="severity_set").data["non_production_override"] is True

    def test_non_production_locked_when_policy_says_so(self, world):
        base = get_policy()
        policy = dataclasses.replace(
            base, production=dataclasses.replace(base.production, agent_may_override=False)
        )
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_staging)
        with pytest.raises(ValidationFailed) as caught:
            ticket_severity_set(
                ticket=ticket,
                severity="L2",
                reason="x",
                actor=world.actor(world.senior),
                now=NOW,
                policy=policy,
            )
        assert caught.value.code == "non_production_locked"

    def test_closed_ticket(self, world):
        ticket = open_ticket(world.gus)
        agent = world.actor(world.engineer)
        ticket_status_set(ticket=ticket, status="solved", actor=agent, now=NOW)
        ticket_status_set(ticket=ticket, status="closed", actor=agent, now=NOW)
        with pytest.raises(Conflict) as caught:
            ticket_severity_set(ticket=ticket, severity="L1", reason="x", actor=agent, now=NOW)
        assert caught.value.code == "ticket_closed"
