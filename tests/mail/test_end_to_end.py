"""End to end over real SMTP on loopback: ``sladesk mail serve`` + worker + an SMTP sink."""

from __future__ import annotations

import email
import os
import shutil
import smtplib
import subprocess
from email import policy

import pytest

from tests.mail.conftest import eml
from tests.mail.e2e import Desk

TICKETS = "from sladesk.tickets.models import Ticket\nresult = [[t.pk, t.subject, t.channel, t.requester.email] for t in Ticket.objects.order_by('id')]"


@pytest.fixture(scope="module")
def desk():
    running = Desk()
    yield running
    running.stop()


def acknowledgements(desk, count):
    return desk.wait_for(
        lambda: len(desk.sink.messages) >= count and desk.sink.messages, timeout=60
    )


def test_smtplib_new_request_becomes_a_ticket_and_a_threaded_acknowledgement(desk):
    raw = eml("outlook-new-request-cp1252.eml")
    with smtplib.SMTP("127.0.0.1", desk.port, timeout=30) as client:
        refused = client.sendmail("gus@globex.example", ["support@sladesk.localhost"], raw)
    assert refused == {}
    sent = acknowledgements(desk, 1)
    tickets = desk.query(TICKETS)
    assert tickets[0][1:] == ["Server crash after upgrade – urgent", "email", "gus@globex.example"]
    mail_from, rcpts, content = sent[0]
    assert rcpts == ["gus@globex.example"]
    ack = email.message_from_bytes(content, policy=policy.default)
    assert (
        ack["In-Reply-To"].strip()
        == "<DB9PR01MB1234.outlook-gus-1@DB9PR01MB1234.eurprd01.prod.outlook.com>"
    )
    assert ack["Auto-Submitted"] == "auto-replied"
    assert f"+t{tickets[0][0]}-" in ack["Reply-To"]
    assert f"#{tickets[0][0]}" in ack["Subject"]
    assert ack.get_body(("plain",)).get_content().count("First response due") == 1
    assert ack.get_body(("html",)) is not None

    # The customer's client answers the acknowledgement: threaded by our Message-ID.
    reply = eml("gmail-reply.eml", REF=ack["Message-ID"].strip("<>"), SUBJECT=str(ack["Subject"]))
    with smtplib.SMTP("127.0.0.1", desk.port, timeout=30) as client:
        client.sendmail("gus@globex.example", ["support@sladesk.localhost"], reply)
    query = (
        "from sladesk.tickets.models import TicketMessage\n"
        f"result = list(TicketMessage.objects.filter(ticket_id={tickets[0][0]}, visibility='public')"
        ".values_list('author_kind', 'body'))"
    )

    def both():
        rows = desk.query(query)
        return rows if len(rows) == 2 else None

    messages = desk.wait_for(both)
    assert messages[1] == [
        "contact",
        "Here is the output you asked for: it still crashes — twice since noon.",
    ]


def test_refusals_at_the_smtp_level(desk):
    with smtplib.SMTP("127.0.0.1", desk.port, timeout=30) as client:
        client.ehlo()
        client.mail("x@example.org")
        code, _ = client.rcpt("someone@else.example")
        assert code == 550
        code, _ = client.rcpt("support@sladesk.localhost")
        assert code == 250
        code, msg = client.data(b"")
        assert code == 554
    big = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * (6 * 1024)
    with smtplib.SMTP("127.0.0.1", desk.port, timeout=30) as client:
        client.ehlo()
        client.mail("x@example.org")
        client.rcpt("support@sladesk.localhost")
        code, msg = client.data(big)
        assert code == 552


def test_swaks_sends_a_message(desk):
    if shutil.which("swaks") is None:
        if os.environ.get("CI"):
            pytest.fail("swaks is missing (.ci/run installs it)")
        pytest.skip("swaks is not installed (apt-get install swaks)")
    before = len(desk.sink.messages)
    done = subprocess.run(
        [
            "swaks",
            "--server",
            "127.0.0.1",
            "--port",
            str(desk.port),
            "--from",
            "gus@globex.example",
            "--to",
            "support@sladesk.localhost",
            "--header",
            "Subject: Sent with swaks",
            "--header",
            "Message-Id: <swaks-0001@globex.example>",
            "--body",
            "The backup job fails every night.",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "250 2.0.0 OK queued" in done.stdout
    acknowledgements(desk, before + 1)
    subjects = [t[1] for t in desk.query(TICKETS)]
    assert "Sent with swaks" in subjects


def test_recipient_limit_and_lmtp(desk):
    with smtplib.SMTP("127.0.0.1", desk.port, timeout=30) as client:
        client.ehlo()
        client.mail("x@example.org")
        codes = [client.rcpt("support@sladesk.localhost")[0] for _ in range(101)]
        assert codes[:100] == [250] * 100 and codes[100] == 452
    lmtp = subprocess.Popen(
        [*Desk.cmd(), "mail", "serve", "--lmtp", "--port", "0"],
        env=desk.env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(lmtp.stdout.readline().rsplit(":", 1)[1])
        with smtplib.LMTP("127.0.0.1", port, timeout=30) as client:
            raw = eml("mailinglist-bulk.eml")
            refused = client.sendmail("x@example.org", ["support@sladesk.localhost"], raw)
        assert refused == {}
    finally:
        lmtp.terminate()
        lmtp.wait(timeout=10)
