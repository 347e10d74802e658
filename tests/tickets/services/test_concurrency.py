"""Concurrent intakes on PostgreSQL: the team's rotation row lock hands out agents in turn."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from sladesk.tickets.services import agent_availability_set
from tests.accounts.factories import NOW, make_agent
from tests.tickets.conftest import CLI, World, open_ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_round_robin_under_concurrent_intake(catalogue):
    world = World()
    second = make_agent("support_engineer", name="Second", teams=["support"])
    third = make_agent("support_engineer", name="Third", teams=["support"])
    for agent in (second, third):
        agent_availability_set(agent=agent, on_shift=True, actor=CLI, now=NOW)
    open_ticket(world.gus)  # creates the team's rotation row
    results, errors = [], []
    barrier = threading.Barrier(6)

    def intake():
        try:
            barrier.wait()
            results.append(open_ticket(world.gus).assignee_id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Counter(results) == {world.engineer.pk: 2, second.pk: 2, third.pk: 2}
