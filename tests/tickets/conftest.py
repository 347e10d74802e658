"""Fixtures for the tickets tests: customers, contacts, environments and agents built
through the real services, and a helper to open tickets."""

from __future__ import annotations

import datetime as dt

import pytest

from sladesk.accounts.actor import Actor
from sladesk.accounts.services import release_catalogue_load, release_file_parse
from sladesk.accounts.services.releases import shipped_catalogue_path
from sladesk.tickets.services import agent_availability_set, ticket_open
from tests.accounts.factories import NOW, make_agent, make_contact, make_env, make_org

CLI = Actor.cli()


@pytest.fixture
def catalogue(db):
    release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=Actor.system())


class World:
    """A premier and an enterprise customer, each with a contact and environments."""

    def __init__(self):
        self.premier = make_org("Acme Corporation", domains=["acme.example"], plan="premier")
        self.maria = make_contact(self.premier, "maria.garcia", named=True)
        self.acme_prod = make_env(self.premier, "acme prod", version="11.10.2")
        self.acme_staging = make_env(
            self.premier, "acme staging", production=False, version="11.10.2"
        )
        self.enterprise = make_org("Globex Inc", domains=["globex.example"], plan="enterprise")
        self.gus = make_contact(self.enterprise, "gus")
        self.globex_prod = make_env(self.enterprise, "globex prod", version="11.10.2")
        self.professional = make_org("Initech", domains=["initech.example"], plan="professional")
        self.peter = make_contact(self.professional, "peter")
        self.senior = make_agent("senior_support_engineer", name="Sam Senior")
        self.engineer = make_agent("support_engineer", name="Erin Engineer", teams=["support"])
        for agent in (self.senior, self.engineer):
            agent_availability_set(agent=agent, on_shift=True, actor=CLI, now=NOW)

    def actor(self, who) -> Actor:
        """Return the actor of a contact or an agent (their user, through the API)."""
        return Actor.for_user(who.user, via="api")


@pytest.fixture
def world(db, catalogue):
    return World()


def open_ticket(
    contact, *, severity="L2", category="troubleshooting", environment=None, now=NOW, **kwargs
):
    """Open a ticket as ``contact`` through the API channel."""
    return ticket_open(
        channel=kwargs.pop("channel", "api"),
        subject=kwargs.pop("subject", "Messages are delayed"),
        description=kwargs.pop(
            "description", "Since this morning messages arrive late for everyone."
        ),
        severity=severity,
        category=category,
        actor=Actor.for_user(contact.user, via="api"),
        environment=environment,
        now=now,
        **kwargs,
    )


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
