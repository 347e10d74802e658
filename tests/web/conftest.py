"""Fixtures of the web tests: the tickets world, signed-in clients for a contact and an agent."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.tickets.conftest import World, catalogue, open_ticket  # noqa: F401


@pytest.fixture
def world(db, catalogue):  # noqa: F811
    return World()


def client_for(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


@pytest.fixture
def maria(world) -> Client:
    """Maria, a named contact of the Premier customer Acme."""
    return client_for(world.maria)


@pytest.fixture
def gus(world) -> Client:
    """Gus, a contact of the Enterprise customer Globex."""
    return client_for(world.gus)


@pytest.fixture
def erin(world) -> Client:
    """Erin, a support engineer of the support team."""
    return client_for(world.engineer)


@pytest.fixture
def sam(world) -> Client:
    """Sam, a senior support engineer."""
    return client_for(world.senior)


__all__ = ["client_for", "open_ticket"]
