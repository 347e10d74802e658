"""Demo tickets for ``sladesk demo``: a queue that shows every clock state at a glance.

Created through ``ticket_open`` and ``ticket_reply`` like any other ticket, opened at
instants before ``now`` so that the console shows a clock on time, one near its warning,
one met and one on a non-production environment. On the LDAP ticket (first response met)
the agent asks for a support packet and the customer replies with one, so its next reply
is due; the packet (``sladesk.packets.demo``) is built at seed time and attached
through the portal's own path, so the attachment filter redacts and analyses it as it
would a real upload: the console's *Diagnostics* panel and the portal's *Your diagnostic
files* show it. Idempotent: a ticket whose subject is already there is not opened again
(with its replies and packet); each ticket is seeded in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Agent, Environment
from sladesk.core import time
from sladesk.packets.demo import demo_packet, demo_packet_name
from sladesk.tickets.models import Ticket
from sladesk.tickets.services import Upload, agent_availability_set, ticket_open, ticket_reply


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
    #: The requester's reply to the agent's question, with a support packet attached.
    packet_reply: str | None = None


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
        packet_reply=(
            "Here is the support packet from our chat server (System Console > Commercial "
            "Support, with the server logs). Last night's sync skipped the nested groups "
            "again. Note that we upgraded the server to 10.11 in the spring; the version on "
            "our environment here is out of date."
        ),
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
        _seed_ticket(demo, actor=actor, now=now)
        opened += 1
    return opened


@transaction.atomic
def _seed_ticket(demo: DemoTicket, *, actor: Actor, now: dt.datetime) -> Ticket:
    """Open one demo ticket and play its conversation, all or nothing."""
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
    if demo.packet_reply:
        _reply_with_packet(
            ticket,
            body=demo.packet_reply,
            requester=demo.requester,
            at=opened_at + dt.timedelta(minutes=100),
        )
    return ticket


def _reply_with_packet(ticket: Ticket, *, body: str, requester: str, at: dt.datetime) -> None:
    """The requester answers through the portal with a packet made a few minutes before.

    ``ticket_reply`` with the file, as the portal's reply form calls it: the upload goes
    through ``attachment_add`` and its filters (redaction, analysis, the notices).
    """
    user = User.objects.get(username=requester)
    generated_at = at - dt.timedelta(minutes=6)
    ticket_reply(
        ticket=ticket,
        body=body,
        attachments=[
            Upload(
                stream=io.BytesIO(demo_packet(generated_at=generated_at)),
                filename=demo_packet_name(generated_at),
            )
        ],
        actor=Actor.for_user(user, via="web"),
        now=at,
    )
