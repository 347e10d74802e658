"""Hand-written INSERTs (``sladesk.core.rows.insert_many``) write what the ORM would."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.accounts.actor import Actor
from sladesk.core.rows import insert_many
from sladesk.tickets.models import Ticket, TicketEvent, TicketMessage
from sladesk.tickets.services import ticket_open
from tests.accounts.factories import NOW, make_contact, make_org

pytestmark = pytest.mark.django_db

AT = NOW


def open_ticket() -> Ticket:
    contact = make_contact(make_org(), "maria")
    return ticket_open(
        channel="api",
        subject="Messages are delayed",
        description="Since this morning messages arrive late.",
        severity="L3",
        category="troubleshooting",
        actor=Actor.for_user(contact.user, via="api"),
        now=NOW,
    )


def test_rows_are_written_in_one_statement_and_get_their_keys_in_order(
    django_assert_num_queries,
):
    ticket = open_ticket()
    events = [
        TicketEvent(
            ticket=ticket,
            kind="note",
            at=AT + dt.timedelta(seconds=i),
            actor_label=f"event {i}",
            via="cli",
            data={"n": i, "nested": {"list": [1, "two", None]}, "text": "naïve ✓"},
        )
        for i in range(5)
    ]
    with django_assert_num_queries(1):
        insert_many(events)
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    assert all(not e._state.adding for e in events)
    for event in events:
        stored = TicketEvent.objects.get(pk=event.pk)
        assert stored.actor_label == event.actor_label
        assert stored.at == event.at
        assert stored.data == event.data
        assert stored.ticket_id == ticket.pk


def test_a_related_object_saved_after_the_row_was_built_lends_its_key():
    ticket = open_ticket()
    contact = make_contact(make_org(), "jane")
    message = TicketMessage(
        ticket=ticket,
        visibility=TicketMessage.Visibility.PUBLIC,
        author_kind=TicketMessage.AuthorKind.CONTACT,
        author=contact.user,
        author_label="Jane",
        body="hello",
        channel="api",
        created_at=AT,
    )
    insert_many([message])
    stored = TicketMessage.objects.get(pk=message.pk)
    assert (stored.ticket_id, stored.author_id, stored.body) == (
        ticket.pk,
        contact.user_id,
        "hello",
    )


def test_a_row_pointing_at_an_unsaved_object_is_refused_as_save_would():
    ticket = open_ticket()
    ticket.pk = None  # an unsaved copy
    with pytest.raises(ValueError, match="unsaved related object"):
        insert_many([TicketEvent(ticket=ticket, kind="note", at=AT, via="cli", data={})])
    assert not TicketEvent.objects.filter(kind="note").exists()


def test_nothing_to_insert_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_many([])
