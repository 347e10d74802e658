from __future__ import annotations

import pytest

from sladesk.accounts.models import Team
from sladesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from sladesk.tickets.services import agent_availability_set, ticket_assign
from tests.accounts.factories import NOW, make_agent
from tests.tickets.conftest import CLI, open_ticket

pytestmark = pytest.mark.django_db


class TestRoundRobin:
    def test_rotates_among_agents_on_shift(self, world):
        second = make_agent("support_engineer", name="Second", teams=["support"])
        third = make_agent("support_engineer", name="Third", teams=["support"])
        off = make_agent("support_engineer", name="Off", teams=["support"])
        for agent in (second, third):
            agent_availability_set(agent=agent, on_shift=True, actor=CLI, now=NOW)
        agent_availability_set(agent=off, on_shift=False, actor=CLI, now=NOW)
        got = [open_ticket(world.gus).assignee for _ in range(4)]
        assert got == [world.engineer, second, third, world.engineer]

    def test_agent_going_off_shift_is_skipped(self, world):
        second = make_agent("support_engineer", name="Second", teams=["support"])
        agent_availability_set(agent=second, on_shift=True, actor=CLI, now=NOW)
        assert open_ticket(world.gus).assignee == world.engineer
        agent_availability_set(agent=second, on_shift=False, actor=CLI, now=NOW)
        assert open_ticket(world.gus).assignee == world.engineer

    def test_a_deactivated_agent_on_shift_gets_no_tickets(self, world):
        gone = make_agent("support_engineer", name="Gone", teams=["support"])
        agent_availability_set(agent=gone, on_shift=True, actor=CLI, now=NOW)
        gone.user.is_active = False
        gone.user.save(update_fields=["is_active"])
        assert {open_ticket(world.gus).assignee for _ in range(3)} == {world.engineer}

    def test_after_nobody_was_on_shift_the_rotation_resumes_where_it_stopped(self, world):
        second = make_agent("support_engineer", name="Second", teams=["support"])
        third = make_agent("support_engineer", name="Third", teams=["support"])
        team = [world.engineer, second, third]
        for agent in team:
            agent_availability_set(agent=agent, on_shift=True, actor=CLI, now=NOW)
        assert [open_ticket(world.gus).assignee for _ in range(2)] == [world.engineer, second]
        for agent in team:  # the night: nobody on shift
            agent_availability_set(agent=agent, on_shift=False, actor=CLI, now=NOW)
        assert open_ticket(world.gus).assignee is None
        for agent in team:  # the morning
            agent_availability_set(agent=agent, on_shift=True, actor=CLI, now=NOW)
        assert [open_ticket(world.gus).assignee for _ in range(2)] == [third, world.engineer]

    def test_agents_without_availability_are_off_shift(self, world):
        make_agent("support_engineer", name="Never", teams=["support"])
        assert {open_ticket(world.gus).assignee for _ in range(3)} == {world.engineer}


class TestTicketAssign:
    def test_assign_within_team(self, world):
        other = make_agent("support_engineer", name="Other", teams=["support"])
        ticket = open_ticket(world.gus)
        ticket_assign(ticket=ticket, agent=other, actor=world.actor(world.engineer), now=NOW)
        ticket.refresh_from_db()
        assert ticket.assignee == other
        assert ticket.events.filter(kind="assigned").count() == 2

    def test_unassign(self, world):
        ticket = open_ticket(world.gus)
        ticket_assign(ticket=ticket, agent=None, actor=world.actor(world.engineer), now=NOW)
        ticket.refresh_from_db()
        assert ticket.assignee is None

    def test_agent_not_in_team(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(ValidationFailed) as caught:
            ticket_assign(
                ticket=ticket, agent=world.senior, actor=world.actor(world.engineer), now=NOW
            )
        assert caught.value.code == "agent_not_in_team"

    def test_move_team_and_assign(self, world):
        ticket = open_ticket(world.gus)
        ticket_assign(
            ticket=ticket,
            agent=world.senior,
            team=Team.objects.get(slug="senior"),
            actor=world.actor(world.engineer),
            now=NOW,
        )
        ticket.refresh_from_db()
        assert ticket.team.slug == "senior" and ticket.assignee == world.senior

    def test_unchanged(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(Conflict) as caught:
            ticket_assign(
                ticket=ticket, agent=world.engineer, actor=world.actor(world.engineer), now=NOW
            )
        assert caught.value.code == "assignment_unchanged"

    def test_contact_may_not(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied):
            ticket_assign(ticket=ticket, agent=None, actor=world.actor(world.gus), now=NOW)


def test_inactive_agent_refused(world):
    from sladesk.accounts.services import agent_update

    other = make_agent("support_engineer", name="Gone", teams=["support"])
    agent_update(agent=other, active=False, actor=CLI)
    other.refresh_from_db()
    ticket = open_ticket(world.gus)
    with pytest.raises(ValidationFailed) as caught:
        ticket_assign(ticket=ticket, agent=other, actor=world.actor(world.engineer), now=NOW)
    assert caught.value.code == "agent_inactive"
