"""Demo tickets for ``sladesk demo``: a queue that shows every clock state at a glance.

Created through ``ticket_open`` and ``ticket_reply`` like any other ticket, opened at
instants before ``now`` so that the console shows a clock on time, one near its warning,
one met and one on a non-production environment. Idempotent: a ticket whose subject is
already there is not opened again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Agent, Environment
from sladesk.core import time
from sladesk.tickets.models import Ticket
from sladesk.tickets.services import agent_availability_set, ticket_open, ticket_reply


@dataclass(frozen=True, slots=True)
class DemoTicket:
    requester: str
    subject: str
    description: str
    severity: str
    category: str
    opened_minutes_ago: int
    production: bool = True
    answered_by: str | None = None


DEMO_TICKETS = (
    DemoTicket(
        requester="maria.garcia@acme.example",
        subject="Mobile push notifications stopped after upgrading to 11.7",
        description=(
            "Since the upgrade last night no user receives push notifications on iOS or "
            "Android. About 4,000 users are affected; there is no workaround."
        ),
        severity="L1",
        category="troubleshooting",
        opened_minutes_ago=20,
    ),
    DemoTicket(
        requester="james.wilson@acme.example",
        subject="Search results take 30 seconds on the production cluster",
        description=(
            "Message search has become very slow for everyone since Monday. The cluster "
            "has 3 nodes and Elasticsearch 8.13."
        ),
        severity="L2",
        category="performance",
        opened_minutes_ago=100,
    ),
    DemoTicket(
        requester="hans.mueller@globex.example",
        subject="LDAP group sync skips nested groups",
        description=(
            "Users in nested AD groups are not added to the synced teams. Flat groups work."
        ),
        severity="L3",
        category="configuration",
        opened_minutes_ago=300,
        answered_by="engineer@sladesk.example",
    ),
    DemoTicket(
        requester="aiko.tanaka@globex.example",
        subject="Staging server shows a licence warning",
        description="Our staging server shows 'licence expired' although production is fine.",
        severity="L2",
        category="question",
        opened_minutes_ago=45,
        production=False,
    ),
    DemoTicket(
        requester="priya.patel@northwind.example",
        subject="How do I export a channel's history?",
        description="We need to export the history of one channel for an audit. How?",
        severity="L4",
        category="question",
        opened_minutes_ago=60,
    ),
)


def seed_tickets_demo(*, now: dt.datetime | None = None) -> int:
    """Open the demo tickets that are missing; return how many were opened."""
    now = now or time.now()
    actor = Actor.demo()
    for agent in Agent.objects.all():
        agent_availability_set(agent=agent, on_shift=True, actor=actor, now=now)
    opened = 0
    for demo in DEMO_TICKETS:
        if Ticket.objects.filter(subject=demo.subject).exists():
            continue
        opened_at = now - dt.timedelta(minutes=demo.opened_minutes_ago)
        environment = (
            Environment.objects.filter(
                organisation__contacts__email=demo.requester, is_production=demo.production
            )
            .order_by("pk")
            .first()
        )
        ticket = ticket_open(
            channel="portal",
            subject=demo.subject,
            description=demo.description,
            severity=demo.severity,
            category=demo.category,
            actor=actor,
            requester_email=demo.requester,
            environment=environment,
            now=opened_at,
        )
        if demo.answered_by:
            agent_user = User.objects.get(username=demo.answered_by)
            ticket_reply(
                ticket=ticket,
                body="Thanks for the details. Could you send a support packet from one node?",
                actor=Actor.for_user(agent_user, via="web"),
                now=opened_at + dt.timedelta(minutes=40),
            )
        opened += 1
    return opened
