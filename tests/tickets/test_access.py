"""The access chokepoint: every condition of ``ticket_for`` and ``attachment_for``."""

from __future__ import annotations

import io

import pytest

from sladesk.accounts.access import Principal, principal_for
from sladesk.accounts.models import Agent
from sladesk.core.exceptions import NotFound, PermissionDenied
from sladesk.tickets import access
from sladesk.tickets.services import Upload, attachment_add, ticket_note
from tests.accounts.factories import make_agent, make_contact
from tests.tickets.conftest import open_ticket

pytestmark = pytest.mark.django_db


def p(who):
    return principal_for(who.user)


@pytest.fixture
def ticket(world):
    return open_ticket(world.gus)


class TestTicketFor:
    def test_missing_ticket_is_not_found(self, world):
        with pytest.raises(NotFound):
            access.ticket_for(p(world.engineer), 999999)

    @pytest.mark.parametrize("role", list(Agent.Role.values))
    def test_every_agent_role_sees_every_ticket(self, world, ticket, role):
        agent = make_agent(role)
        assert access.ticket_for(p(agent), ticket.pk) == ticket

    def test_requester_sees_own(self, world, ticket):
        assert access.ticket_for(p(world.gus), ticket.pk) == ticket

    def test_colleague_sees_organisation_tickets(self, world, ticket):
        assert access.ticket_for(p(make_contact(world.enterprise, "gina")), ticket.pk) == ticket

    def test_other_organisation_is_not_found(self, world, ticket):
        with pytest.raises(NotFound) as caught:
            access.ticket_for(p(world.maria), ticket.pk)
        assert caught.value.code == "not_found"

    def test_user_without_role_is_not_found(self, world, ticket):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(username="nobody@x.example")
        with pytest.raises(NotFound):
            access.ticket_for(Principal(user=user), ticket.pk)


class TestInternal:
    def test_sees_internal(self, world):
        assert access.sees_internal(p(world.engineer)) is True
        assert access.sees_internal(p(world.gus)) is False

    def test_internal_attachment_hidden_from_contacts(self, world, ticket):
        note = ticket_note(
            ticket=ticket,
            body="x",
            actor=world.actor(world.engineer),
            attachments=[Upload(io.BytesIO(b"secret"), "heap.dump")],
        )
        attachment = note.attachments.get()
        assert access.attachment_for(p(world.engineer), ticket, attachment.pk) == attachment
        with pytest.raises(NotFound):
            access.attachment_for(p(world.gus), ticket, attachment.pk)

    def test_attachment_of_other_ticket_is_not_found(self, world, ticket):
        other = open_ticket(world.gus)
        attachment = attachment_add(
            ticket=other, upload=Upload(io.BytesIO(b"x"), "a.txt"), actor=world.actor(world.gus)
        )
        with pytest.raises(NotFound):
            access.attachment_for(p(world.gus), ticket, attachment.pk)

    def test_require_ticket_agent(self, world):
        access.require_ticket_agent(p(world.engineer), doing="x")
        with pytest.raises(PermissionDenied):
            access.require_ticket_agent(p(world.gus), doing="x")
