"""Outbound mail: threading headers, the ledger follower, SLA mail to agents, retries."""

from __future__ import annotations

import datetime as dt
import email
import re
import smtplib
from email import policy

import pytest
from django.core import mail as django_mail
from django.test import override_settings

from sladesk.mail import addressing
from sladesk.mail.models import OutboundMessage
from sladesk.mail.outbound import mail_ledger_follow, mail_reminders_send
from sladesk.notifications.models import Notification
from sladesk.notifications.services import notification_enqueue, notifications_deliver_due
from sladesk.tickets.services import ticket_reply, ticket_status_set
from sladesk.tickets.sweep import sla_sweep_all
from tests.accounts.factories import NOW
from tests.mail.conftest import eml
from tests.mail.test_services import ingest


@pytest.fixture
def emailed(world):
    """A ticket opened by e-mail (acknowledged), and the ledger read up to now."""
    inbound = ingest(eml("outlook-new-request-cp1252.eml"))
    mail_ledger_follow(now=NOW)
    return inbound.ticket


def sent_to(address):
    return [m for m in django_mail.outbox if m.to == [address]]


def test_agent_reply_is_mailed_to_the_requester_threaded(world, emailed):
    later = NOW + dt.timedelta(minutes=30)
    ticket_reply(
        ticket=emailed,
        body="Please send the output of `df -h`.",
        actor=world.actor(world.engineer),
        now=later,
    )
    assert mail_ledger_follow(now=later) > 0
    notifications_deliver_due(now=later)
    out = OutboundMessage.objects.get(kind="agent_reply")
    assert out.automatic is False
    message = sent_to("gus@globex.example")[-1].message()
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    ack = OutboundMessage.objects.get(kind="acknowledgement")
    references = parsed["References"].split()
    # The customer's first message, then our acknowledgement: every client threads it.
    assert references[0] == "<DB9PR01MB1234.outlook-gus-1@DB9PR01MB1234.eurprd01.prod.outlook.com>"
    assert f"<{ack.message_id}>" in references
    assert parsed["In-Reply-To"].strip() == references[-1]
    assert parsed["Auto-Submitted"] is None
    assert addressing.ticket_tag(emailed.pk) in parsed["Subject"]
    assert "df -h" in parsed.get_body(("plain",)).get_content()
    # Reading the ledger again sends nothing twice.
    assert mail_ledger_follow(now=later) == 0
    assert OutboundMessage.objects.filter(kind="agent_reply").count() == 1


def test_status_change_is_mailed_as_automatic(world, emailed):
    later = NOW + dt.timedelta(minutes=5)
    ticket_status_set(
        ticket=emailed,
        status="waiting_on_customer",
        actor=world.actor(world.engineer),
        reason="need logs",
        now=later,
    )
    mail_ledger_follow(now=later)
    out = OutboundMessage.objects.get(kind="status_change")
    assert out.automatic is True and out.to_address == "gus@globex.example"
    assert "waiting" in out.subject.lower()
    assert out.notification.payload["headers"]["Auto-Submitted"] == "auto-replied"


def test_waiting_reminder_once_per_wait(world, emailed):
    later = NOW + dt.timedelta(minutes=5)
    ticket_status_set(
        ticket=emailed, status="waiting_on_customer", actor=world.actor(world.engineer), now=later
    )
    assert mail_reminders_send(now=later + dt.timedelta(hours=1)) == 0
    assert mail_reminders_send(now=later + dt.timedelta(days=4)) == 1
    assert mail_reminders_send(now=later + dt.timedelta(days=5)) == 0


def test_sla_warnings_and_breaches_go_to_agents(world, emailed):
    far = NOW + dt.timedelta(days=10)
    sla_sweep_all(now=far)
    mail_ledger_follow(now=far)
    kinds = set(
        OutboundMessage.objects.filter(kind__startswith="sla_").values_list("kind", "to_address")
    )
    agent_mail = emailed.assignee.user.email if emailed.assignee_id else None
    assert ("sla_breach", agent_mail) in kinds
    breach = OutboundMessage.objects.filter(kind="sla_breach").first()
    assert "SLA BREACH" in breach.subject and f"#{emailed.pk}" in breach.subject


class Refusing:
    def __init__(self, *a, **k):
        pass

    def open(self):
        raise ConnectionRefusedError("relay down")

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("relay down")

    def close(self):
        pass


def test_delivery_failure_is_retried_with_backoff_then_logged(world, monkeypatch):
    from sladesk.mail import outbound

    monkeypatch.setattr(outbound, "get_connection", lambda **k: Refusing())
    with override_settings(SLADESK_OUTBOX_MAX_ATTEMPTS=2):
        inbound = ingest(eml("outlook-new-request-cp1252.eml"))
        ack = OutboundMessage.objects.get(inbound=inbound)
        row = Notification.objects.get(pk=ack.notification_id)
        assert (row.status, row.attempts) == ("failed", 1)
        assert "relay down" in row.last_error and row.next_attempt_at > NOW
        notifications_deliver_due(now=row.next_attempt_at)
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("dead", 2)


def test_recipient_refused_by_the_relay_is_permanent(world, monkeypatch):
    from sladesk.mail import outbound

    class Rejecting(Refusing):
        def open(self):  # the relay answers, then refuses the recipient
            return True

        def send_messages(self, messages):
            raise smtplib.SMTPRecipientsRefused({"gus@globex.example": (550, b"no such user")})

    monkeypatch.setattr(outbound, "get_connection", lambda **k: Rejecting())
    inbound = ingest(eml("outlook-new-request-cp1252.eml"))
    row = OutboundMessage.objects.get(inbound=inbound).notification
    row.refresh_from_db()
    assert row.status == "dead" and "recipient refused" in row.last_error


def payload(out):
    return Notification.objects.get(pk=out.notification_id).payload


def test_agent_reply_is_signed_with_the_agents_name_and_has_no_link_by_default(world, emailed):
    later = NOW + dt.timedelta(minutes=30)
    ticket_reply(ticket=emailed, body="On it.", actor=world.actor(world.engineer), now=later)
    mail_ledger_follow(now=later)
    text = payload(OutboundMessage.objects.get(kind="agent_reply"))["text"]
    assert "\n-- \nErin Engineer\n" in text
    assert world.engineer.user.get_username() not in text
    assert "http" not in text


def test_mails_link_to_the_ticket_when_the_base_url_is_known(world, settings):
    settings.SLADESK_BASE_URL = "https://desk.example"
    ticket = ingest(eml("outlook-new-request-cp1252.eml")).ticket
    mail_ledger_follow(now=NOW)
    portal = f"https://desk.example/portal/tickets/{ticket.pk}/"
    console = f"https://desk.example/console/tickets/{ticket.pk}/"
    ack = payload(OutboundMessage.objects.get(kind="acknowledgement"))
    assert portal in ack["text"] and f'href="{portal}"' in ack["html"]
    far = NOW + dt.timedelta(days=10)
    sla_sweep_all(now=far)
    mail_ledger_follow(now=far)
    breach = payload(OutboundMessage.objects.filter(kind="sla_breach").first())
    assert console in breach["text"] and f'href="{console}"' in breach["html"]
    later = far + dt.timedelta(minutes=30)
    ticket_reply(ticket=ticket, body="On it.", actor=world.actor(world.engineer), now=later)
    mail_ledger_follow(now=later)
    reply = payload(OutboundMessage.objects.get(kind="agent_reply"))
    assert portal in reply["text"] and f'href="{portal}"' in reply["html"]


class Counting:
    """A relay connection that counts what it sends; ``fail_on`` breaks it at that message."""

    opened: list[Counting] = []
    fail_on: int | None = None
    total = 0

    def __init__(self, *a, **k):
        self.sent = 0
        self.closed = False
        Counting.opened.append(self)

    def open(self):
        return True

    def send_messages(self, messages):
        Counting.total += 1
        if Counting.total == Counting.fail_on:
            raise smtplib.SMTPServerDisconnected("connection lost")
        self.sent += len(messages)
        return len(messages)

    def close(self):
        self.closed = True


@pytest.fixture
def counting(monkeypatch):
    from sladesk.mail import outbound

    Counting.opened, Counting.fail_on, Counting.total = [], None, 0
    monkeypatch.setattr(outbound, "get_connection", lambda **k: Counting())
    for n in range(3):
        notification_enqueue(
            channel="email",
            kind="test",
            dedupe_key=f"pass-{n}",
            payload={"subject": f"message {n}", "text": "hello"},
            address=f"person{n}@example.com",
            now=NOW,
        )
    return Counting


def test_one_delivery_pass_uses_one_relay_connection(db, counting):
    result = notifications_deliver_due(now=NOW)
    assert result.sent == 3
    [connection] = counting.opened
    assert connection.sent == 3 and connection.closed


def test_a_broken_relay_connection_is_replaced_for_the_next_message(db, counting):
    counting.fail_on = 2
    result = notifications_deliver_due(now=NOW)
    assert (result.sent, result.failed) == (2, 1)
    assert [c.sent for c in counting.opened] == [1, 1]
    assert all(c.closed for c in counting.opened)
    failed = Notification.objects.get(status="failed")
    assert "connection lost" in failed.last_error


def _flattened(message, policy=None) -> bytes:
    """Return a Django message's bytes as the SMTP backend writes them, minus what is random."""
    msg = message.message()
    if policy is not None:
        msg.policy = policy
    raw = msg.as_bytes(linesep="\r\n")
    return re.sub(rb"(===============|boundary=\")[0-9]+", rb"\1", raw)


@pytest.mark.parametrize(
    ("subject", "headers"),
    [
        ("[#31-af9afa1234] Received: Messages arrive late", {}),
        ("Grüße aus Köln – Ünïcödé subject that is long enough to be folded twice " * 2, {}),
        (
            "plain",
            {
                "References": " ".join(f"<ref-{n}-0123456789@mail.example.com>" for n in range(9)),
                "In-Reply-To": "<ref-8-0123456789@mail.example.com>",
                "X-Spaced": "  two  spaces\tand a tab  ",
                "X-Empty": "",
                "X-Exactly": "x" * (78 - len("X-Exactly: ")),
                "X-One-More": "x" * (79 - len("X-One-More: ")),
                "X-Encoded": "=?utf-8?q?not_decoded?=",
            },
        ),
    ],
)
def test_quick_fold_writes_the_same_bytes_as_compat32(subject, headers):
    """``DeskEmail`` writes short ASCII headers directly; the message is byte for byte
    what Django's ``compat32`` writes (the Date and the MIME boundaries aside)."""
    from email.policy import compat32

    from sladesk.mail.outbound import QUICK_FOLD, DeskEmail

    message = DeskEmail(
        subject=subject,
        body="Hello Gus,\n\nWe have received your request – café.\n" * 30,
        from_email="sladesk <support@sladesk.localhost>",
        to=["Gus Grissom <gus@globex.example>"],
        headers={"Message-ID": "<sladesk.t1.abc@sladesk.localhost>", **headers},
    )
    message.attach_alternative("<p>Hello Gus – café</p>" * 40, "text/html")
    message.extra_headers["Date"] = "Wed, 25 Nov 2026 18:00:00 +0000"
    assert message.message().policy is QUICK_FOLD
    assert _flattened(message) == _flattened(message, compat32)
