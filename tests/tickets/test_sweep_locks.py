"""The sweep's row locks on PostgreSQL: skip what another transaction holds, never wait."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from sladesk.tickets.models import EventKind, Ticket, TicketClock, TicketEvent
from sladesk.tickets.sweep import sla_sweep
from tests.accounts.factories import NOW
from tests.tickets.conftest import World, open_ticket
from tests.worker import live

M = dt.timedelta(minutes=1)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks with SKIP LOCKED are PostgreSQL's; on SQLite the IMMEDIATE "
        "transaction serialises sweeps and services (tests/worker covers two workers there)",
    ),
]

live_db = live.live_db  # the fixture, in this module's scope


def warnings_of(ticket):
    return TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_WARNING).count()


def hold(lock_rows):
    """Run ``lock_rows`` in another connection's transaction until released."""
    locked, release = threading.Event(), threading.Event()

    def other():
        try:
            with transaction.atomic():
                lock_rows()
                locked.set()
                release.wait(20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    assert locked.wait(20)
    return release, thread


@pytest.mark.parametrize("what", ["ticket", "clock"])
def test_a_locked_ticket_or_clock_is_left_for_the_next_sweep(
    live_db, transactional_db, catalogue, what
):
    world = World()
    busy = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
    free = open_ticket(world.maria, severity="L1", environment=world.acme_prod)
    if what == "ticket":  # a service is changing it (services lock the ticket first)
        release, thread = hold(lambda: Ticket.objects.select_for_update().get(pk=busy.pk))
    else:  # another worker is sweeping it
        release, thread = hold(
            lambda: TicketClock.objects.select_for_update().get(ticket_id=busy.pk)
        )
    try:
        result = sla_sweep(now=NOW + 50 * M)  # would block here if it waited
        assert (result.clocks, result.warnings) == (1, 1)
        assert (warnings_of(busy), warnings_of(free)) == (0, 1)
    finally:
        release.set()
        thread.join()
    assert sla_sweep(now=NOW + 50 * M).warnings == 1
    assert (warnings_of(busy), warnings_of(free)) == (1, 1)
