from __future__ import annotations

import datetime as dt

import pytest

from sladesk.accounts.actor import Actor
from sladesk.core.exceptions import Conflict, PermissionDenied
from sladesk.tickets.models import EventKind, Status
from sladesk.tickets.services import ticket_note, ticket_reply, ticket_status_set
from tests.accounts.factories import NOW, make_contact, make_org
from tests.tickets.conftest import CLI, at, open_ticket

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def clock(ticket, kind):
    return ticket.clocks.filter(kind=kind).order_by("-seq").first()


class TestTicketReply:
    def test_agent_reply_meets_first_response_and_opens(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_reply(
            ticket=ticket,
            body="Looking into it.",
            actor=world.actor(world.senior),
            now=NOW + 0.5 * H,
        )
        ticket.refresh_from_db()
        first = clock(ticket, "first_response")
        assert first.met_at == NOW + 0.5 * H
        assert first.breached is False
        assert first.next_check_at is None
        assert ticket.status == Status.OPEN
        assert ticket.first_responded_at == NOW + 0.5 * H

    def test_late_reply_records_breach_and_by_how_long(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_reply(
            ticket=ticket,
            body="Sorry for the wait.",
            actor=world.actor(world.senior),
            now=NOW + 1.5 * H,
        )
        first = clock(ticket, "first_response")
        assert first.breached is True
        assert first.breached_by_seconds == 1800

    def test_internal_note_does_not_meet_first_response(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_note(
            ticket=ticket, body="Check the logs", actor=world.actor(world.senior), now=NOW + 0.1 * H
        )
        assert clock(ticket, "first_response").met_at is None
        assert ticket.messages.filter(visibility="internal").count() == 1

    def test_customer_message_starts_next_reply_with_handbook_cadence(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_reply(
            ticket=ticket, body="On it", actor=world.actor(world.senior), now=NOW + 0.5 * H
        )
        ticket_reply(
            ticket=ticket, body="Still broken", actor=world.actor(world.maria), now=NOW + H
        )
        nxt = clock(ticket, "next_reply")
        assert nxt.target_label == "2 h in always"  # Premier L1 next reply
        assert nxt.due_at == NOW + 3 * H
        ticket.refresh_from_db()
        assert ticket.due_at == NOW + 3 * H
        # A second customer message does not restart the running clock.
        ticket_reply(ticket=ticket, body="Hello?", actor=world.actor(world.maria), now=NOW + 2 * H)
        assert ticket.clocks.filter(kind="next_reply").count() == 1
        ticket_reply(
            ticket=ticket, body="Fixed?", actor=world.actor(world.senior), now=NOW + 2.5 * H
        )
        assert clock(ticket, "next_reply").met_at == NOW + 2.5 * H
        ticket_reply(ticket=ticket, body="No", actor=world.actor(world.maria), now=NOW + 3 * H)
        assert clock(ticket, "next_reply").seq == 2

    def test_no_next_reply_before_first_response(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        ticket_reply(
            ticket=ticket, body="More details", actor=world.actor(world.maria), now=NOW + 0.2 * H
        )
        assert clock(ticket, "next_reply") is None

    def test_professional_has_no_next_reply(self, world):
        ticket = open_ticket(world.peter, severity="L2")
        ticket_reply(ticket=ticket, body="Hi", actor=world.actor(world.engineer), now=NOW + H)
        ticket_reply(ticket=ticket, body="Thanks", actor=world.actor(world.peter), now=NOW + 2 * H)
        assert clock(ticket, "next_reply") is None

    def test_colleague_of_same_organisation_may_reply(self, world):
        colleague = make_contact(world.enterprise, "gina")
        ticket = open_ticket(world.gus)
        message = ticket_reply(
            ticket=ticket, body="Same here", actor=world.actor(colleague), now=NOW + H
        )
        assert message.author_kind == "contact"

    def test_contact_of_other_organisation_refused(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied) as caught:
            ticket_reply(ticket=ticket, body="Hi", actor=world.actor(world.maria), now=NOW + H)
        assert caught.value.code == "not_a_participant"

    def test_author_required(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied) as caught:
            ticket_reply(ticket=ticket, body="Hi", actor=CLI, now=NOW + H)
        assert caught.value.code == "author_required"

    def test_contact_cannot_write_notes(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied) as caught:
            ticket_note(ticket=ticket, body="x", actor=world.actor(world.gus), now=NOW)
        assert caught.value.code == "not_an_agent"

    def test_empty_body_refused(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(Exception) as caught:
            ticket_reply(ticket=ticket, body="  ", actor=world.actor(world.gus), now=NOW)
        assert caught.value.code == "body_required"


class TestReopen:
    def _solved(self, world):
        ticket = open_ticket(world.gus, severity="L2")
        agent = world.actor(world.engineer)
        ticket_reply(ticket=ticket, body="Try this", actor=agent, now=NOW + H)
        ticket_status_set(ticket=ticket, status="solved", actor=agent, now=NOW + 2 * H)
        return ticket

    def test_customer_reply_reopens_within_window(self, world):
        ticket = self._solved(world)
        ticket_reply(
            ticket=ticket, body="It came back", actor=world.actor(world.gus), now=NOW + 40 * H
        )
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN
        assert ticket.solved_at is None
        assert ticket.events.filter(kind=EventKind.REOPENED).exists()
        assert clock(ticket, "next_reply").started_at == NOW + 40 * H

    def test_after_window_refused_with_new_ticket_suggested(self, world):
        ticket = self._solved(world)
        with pytest.raises(Conflict) as caught:
            ticket_reply(
                ticket=ticket, body="It came back", actor=world.actor(world.gus), now=NOW + 51 * H
            )
        assert caught.value.code == "reopen_window_passed"
        assert caught.value.details["suggest"] == "new_ticket"

    def test_closed_refuses_replies(self, world):
        ticket = self._solved(world)
        ticket_status_set(
            ticket=ticket, status="closed", actor=world.actor(world.engineer), now=NOW + 3 * H
        )
        with pytest.raises(Conflict) as caught:
            ticket_reply(
                ticket=ticket, body="Hi", actor=world.actor(world.engineer), now=NOW + 4 * H
            )
        assert caught.value.code == "ticket_closed"

    def test_agent_reply_keeps_solved(self, world):
        ticket = self._solved(world)
        ticket_reply(ticket=ticket, body="FYI", actor=world.actor(world.engineer), now=NOW + 3 * H)
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED


def test_removed_contact_cannot_reply(world):
    from sladesk.accounts.services import contact_remove

    ticket = open_ticket(world.gus)
    contact_remove(contact=world.gus, reason="left", actor=CLI, now=NOW)
    with pytest.raises(PermissionDenied) as caught:
        ticket_reply(
            ticket=ticket, body="Hi", actor=Actor.for_user(world.gus.user, via="api"), now=NOW + H
        )
    assert caught.value.code == "not_a_participant"


def test_stranger_org(world):
    other = make_org("Other", domains=["other.example"])
    stranger = make_contact(other, "sid")
    ticket = open_ticket(world.gus)
    with pytest.raises(PermissionDenied):
        ticket_reply(
            ticket=ticket,
            body="Hi",
            actor=world.actor(stranger),
            now=at("2026-11-25T19:00:00+00:00"),
        )


class TestAuthorLabel:
    def test_agent_messages_are_signed_with_the_agents_name(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        actor = world.actor(world.senior)
        reply = ticket_reply(ticket=ticket, body="Looking into it.", actor=actor, now=NOW + 0.5 * H)
        note = ticket_note(ticket=ticket, body="Check the logs", actor=actor, now=NOW + 0.6 * H)
        assert reply.author_label == "Sam Senior"
        assert note.author_label == "Sam Senior"
        assert world.senior.user.get_username() not in reply.author_label
        # The audit trail keeps the actor's own label (the login).
        event = ticket.events.filter(kind=EventKind.REPLIED).get()
        assert event.actor_label == actor.label

    def test_contact_messages_are_signed_with_the_contacts_name(self, world):
        ticket = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
        reply = ticket_reply(
            ticket=ticket, body="More details.", actor=world.actor(world.maria), now=NOW + 0.5 * H
        )
        assert reply.author_label == world.maria.name
