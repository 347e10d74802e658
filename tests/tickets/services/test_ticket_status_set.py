from __future__ import annotations

import datetime as dt

import pytest

from sladesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from sladesk.tickets.models import EventKind, Status
from sladesk.tickets.services import TRANSITIONS, ticket_reply, ticket_status_set
from tests.accounts.factories import NOW, make_contact
from tests.tickets.conftest import open_ticket

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def clock(ticket, kind):
    return ticket.clocks.filter(kind=kind).order_by("-seq").first()


def premier_answered(world):
    ticket = open_ticket(world.maria, severity="L2", environment=world.acme_prod)
    ticket_reply(ticket=ticket, body="Hi", actor=world.actor(world.senior), now=NOW + 0.5 * H)
    ticket_reply(ticket=ticket, body="Logs attached", actor=world.actor(world.maria), now=NOW + H)
    return ticket


class TestPause:
    def test_waiting_on_customer_pauses_next_reply_not_first_response(self, world):
        ticket = open_ticket(world.maria, severity="L2", environment=world.acme_prod)
        agent = world.actor(world.senior)
        ticket_status_set(
            ticket=ticket, status="waiting_on_customer", actor=agent, now=NOW + 0.5 * H
        )
        first = clock(ticket, "first_response")
        assert first.paused_at is None and first.due_at == NOW + 2 * H

    def test_pause_moves_the_due_by_the_paused_open_time(self, world):
        ticket = premier_answered(world)  # next reply: L2 4 h in always from NOW+1h -> NOW+5h
        assert clock(ticket, "next_reply").due_at == NOW + 5 * H
        agent = world.actor(world.senior)
        ticket_status_set(ticket=ticket, status="waiting_on_customer", actor=agent, now=NOW + 2 * H)
        paused = clock(ticket, "next_reply")
        assert paused.state == "paused" and paused.due_at is None and paused.next_check_at is None
        ticket.refresh_from_db()
        assert ticket.due_at is None
        ticket_reply(
            ticket=ticket, body="Here you go", actor=world.actor(world.maria), now=NOW + 5 * H
        )
        resumed = clock(ticket, "next_reply")
        assert resumed.state == "running"
        assert resumed.due_at == NOW + 8 * H  # 3 h paused
        assert resumed.paused_seconds == 3 * 3600
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN

    def test_agent_leaving_waiting_resumes(self, world):
        ticket = premier_answered(world)
        agent = world.actor(world.senior)
        ticket_status_set(ticket=ticket, status="waiting_on_customer", actor=agent, now=NOW + 2 * H)
        ticket_status_set(
            ticket=ticket, status="waiting_on_engineering", actor=agent, now=NOW + 3 * H
        )
        assert clock(ticket, "next_reply").due_at == NOW + 6 * H

    def test_waiting_on_engineering_does_not_pause(self, world):
        ticket = premier_answered(world)
        ticket_status_set(
            ticket=ticket,
            status="waiting_on_engineering",
            actor=world.actor(world.senior),
            now=NOW + 2 * H,
        )
        assert clock(ticket, "next_reply").state == "running"

    def test_policy_decides_which_clocks_pause(self, world):
        import dataclasses

        from sladesk.policy import get_policy

        policy = dataclasses.replace(get_policy(), waiting_on_customer_pauses=frozenset())
        ticket = premier_answered(world)
        ticket_status_set(
            ticket=ticket,
            status="waiting_on_customer",
            actor=world.actor(world.senior),
            now=NOW + 2 * H,
            policy=policy,
        )
        assert clock(ticket, "next_reply").state == "running"


class TestSolveClose:
    def test_solved_stops_open_clocks_and_closed_is_final(self, world):
        ticket = premier_answered(world)
        agent = world.actor(world.senior)
        ticket_status_set(ticket=ticket, status="solved", actor=agent, now=NOW + 2 * H)
        nxt = clock(ticket, "next_reply")
        assert nxt.stopped_at == NOW + 2 * H and nxt.stop_reason == "solved"
        ticket.refresh_from_db()
        assert ticket.solved_at == NOW + 2 * H and ticket.due_at is None
        ticket_status_set(ticket=ticket, status="closed", actor=agent, now=NOW + 3 * H)
        with pytest.raises(Conflict) as caught:
            ticket_status_set(ticket=ticket, status="open", actor=agent, now=NOW + 4 * H)
        assert caught.value.code == "invalid_transition"

    def test_solving_before_any_reply_stops_first_response(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_status_set(
            ticket=ticket, status="solved", actor=world.actor(world.senior), now=NOW + 2 * H
        )
        first = clock(ticket, "first_response")
        assert (
            first.stopped_at is not None
            and first.breached is True
            and first.breached_by_seconds == 3600
        )

    def test_agent_reopen_from_solved(self, world):
        ticket = premier_answered(world)
        agent = world.actor(world.senior)
        ticket_status_set(ticket=ticket, status="solved", actor=agent, now=NOW + 2 * H)
        ticket_status_set(
            ticket=ticket, status="open", actor=agent, now=NOW + 3 * H, reason="not fixed"
        )
        ticket.refresh_from_db()
        assert ticket.status == "open" and ticket.solved_at is None


class TestRefusals:
    def test_same_status(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(Conflict) as caught:
            ticket_status_set(
                ticket=ticket, status="new", actor=world.actor(world.engineer), now=NOW
            )
        assert caught.value.code == "status_unchanged"

    def test_unknown_status(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(ValidationFailed) as caught:
            ticket_status_set(
                ticket=ticket, status="pending", actor=world.actor(world.engineer), now=NOW
            )
        assert caught.value.code == "unknown_status"

    @pytest.mark.parametrize("status", ["open", "waiting_on_customer", "closed"])
    def test_a_contact_may_only_mark_solved(self, world, status):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied) as caught:
            ticket_status_set(ticket=ticket, status=status, actor=world.actor(world.gus), now=NOW)
        assert caught.value.code == "contacts_may_only_solve"
        assert "reply instead" in caught.value.message

    def test_a_contact_of_another_organisation_may_not_solve(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied) as caught:
            ticket_status_set(
                ticket=ticket, status="solved", actor=world.actor(world.maria), now=NOW
            )
        assert caught.value.code == "not_a_participant"


class TestTheCustomerMarksSolved:
    def test_solved_by_the_requester_stops_the_clocks_and_says_who(self, world):
        ticket = open_ticket(world.gus)
        ticket_status_set(ticket=ticket, status="solved", actor=world.actor(world.gus), now=NOW)
        ticket.refresh_from_db()
        assert ticket.status == "solved" and ticket.solved_at == NOW
        first = ticket.clocks.get(kind="first_response")
        assert first.stopped_at == NOW and first.stop_reason == "solved"
        event = ticket.events.get(kind=EventKind.STATUS_SET)
        assert event.data == {
            "from": "new",
            "to": "solved",
            "reason": "marked solved by the customer",
        }
        assert event.actor == world.gus.user

    def test_a_colleague_of_the_requester_may_solve_too(self, world):
        colleague = make_contact(world.enterprise, "lou")
        ticket = open_ticket(world.gus)
        ticket_status_set(ticket=ticket, status="solved", actor=world.actor(colleague), now=NOW)
        ticket.refresh_from_db()
        assert ticket.status == "solved"

    @pytest.mark.parametrize("before", list(Status.values))
    @pytest.mark.parametrize("after", list(Status.values))
    def test_transition_table(self, world, before, after):
        """Every pair: allowed ones succeed, the others are refused with a clear code."""
        ticket = open_ticket(world.gus)
        agent = world.actor(world.engineer)
        path = {
            "new": [],
            "open": ["open"],
            "waiting_on_customer": ["waiting_on_customer"],
            "waiting_on_engineering": ["waiting_on_engineering"],
            "solved": ["solved"],
            "closed": ["solved", "closed"],
        }[before]
        for step in path:
            ticket_status_set(ticket=ticket, status=step, actor=agent, now=NOW)
        if after == before:
            expected = "status_unchanged"
        elif after in TRANSITIONS[before]:
            expected = None
        else:
            expected = "invalid_transition"
        if expected is None:
            ticket_status_set(ticket=ticket, status=after, actor=agent, now=NOW + H)
            ticket.refresh_from_db()
            assert ticket.status == after
        else:
            with pytest.raises(Conflict) as caught:
                ticket_status_set(ticket=ticket, status=after, actor=agent, now=NOW + H)
            assert caught.value.code == expected
