"""``mail_ingest`` and ``mail_process``: storage, threading, authorisation, the door, loops."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from django.core import mail as django_mail
from django.test import override_settings

from sladesk.mail import addressing
from sladesk.mail.models import InboundMessage, InboundStatus, OutboundMessage
from sladesk.mail.services import inbound_raw, mail_ingest, mail_process, mail_reprocess
from sladesk.notifications.models import Notification
from sladesk.notifications.services import notifications_deliver_due
from sladesk.tickets.models import Attachment, Ticket
from sladesk.tickets.services import ticket_status_set
from tests.accounts.factories import NOW
from tests.mail.conftest import eml


def ingest(raw: bytes, **kwargs):
    """Store and process at NOW (the test settings run tasks immediately too)."""
    stored = mail_ingest(raw=raw, via="smtp", now=NOW, process=False, **kwargs)
    inbound = mail_process(inbound_id=stored.inbound.pk, now=NOW)
    notifications_deliver_due(now=NOW)  # on_commit does not run inside a test transaction
    return inbound


def ack_of(ticket):
    return OutboundMessage.objects.get(ticket=ticket, kind="acknowledgement")


def new_request(world):
    inbound = ingest(eml("outlook-new-request-cp1252.eml"))
    assert inbound.outcome == "ticket_opened", inbound.reason
    return inbound


class TestIngest:
    def test_stores_raw_bytes_and_hash_and_is_idempotent(self, db):
        raw = eml("mailinglist-bulk.eml")
        first = mail_ingest(raw=raw, via="smtp", process=False)
        again = mail_ingest(raw=b"Received: by another.hop\n" + raw, via="smtp", process=False)
        assert first.created is True and again.created is False
        assert again.inbound.pk == first.inbound.pk
        assert inbound_raw(first.inbound) == raw
        assert len(first.inbound.sha256) == 64
        assert InboundMessage.objects.count() == 1

    def test_same_message_id_other_content_is_a_new_message(self, db):
        raw = eml("mailinglist-bulk.eml")
        mail_ingest(raw=raw, via="smtp", process=False)
        other = mail_ingest(raw=raw + b"more\n", via="smtp", process=False)
        assert other.created is True

    @override_settings(SLADESK_MAIL_INLINE_MAX_BYTES=100)
    def test_large_messages_stream_to_storage(self, db):
        raw = eml("outlook-new-request-cp1252.eml")
        stored = mail_ingest(raw=io.BytesIO(raw), via="smtp", process=False).inbound
        assert stored.raw is None and stored.raw_file.name.endswith(".eml")
        assert inbound_raw(stored) == raw and stored.size == len(raw)

    def test_zero_bytes_are_stored_and_ignored(self, db):
        inbound = ingest(b"")
        assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "empty")


class TestNewMail:
    def test_enterprise_contact_gets_a_ticket_with_attachments_and_an_acknowledgement(self, world):
        inbound = new_request(world)
        ticket = inbound.ticket
        assert ticket.channel == "email" and ticket.requester == world.gus
        assert ticket.subject == "Server crash after upgrade – urgent"
        assert "whole café team is blocked" in ticket.description
        assert set(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True)) == {
            "server.log",
            "image001.png",
        }
        ack = ack_of(ticket)
        assert ack.to_address == "gus@globex.example" and ack.automatic is True
        payload = ack.notification.payload
        assert addressing.ticket_tag(ticket.pk) in payload["subject"]
        assert f"#{ticket.pk}" in payload["text"] and ticket.severity in payload["text"]
        assert "First response due:" in payload["text"]
        headers = payload["headers"]
        assert headers["In-Reply-To"] == f"<{inbound.message_id}>"
        assert headers["Auto-Submitted"] == "auto-replied"
        assert headers["Reply-To"] == addressing.reply_address(ticket.pk)
        # Delivered through the outbox's email channel (locmem backend in tests).
        sent = [m for m in django_mail.outbox if m.to == ["gus@globex.example"]]
        assert sent and sent[-1].extra_headers["Message-ID"] == f"<{ack.message_id}>"
        assert Notification.objects.get(pk=ack.notification_id).status == "sent"

    def test_the_acknowledgement_gives_the_due_in_the_customers_zone(self, world):
        world.enterprise.time_zone = "Europe/Berlin"
        world.enterprise.save(update_fields=["time_zone"])
        ticket = new_request(world).ticket
        due = ticket.clocks.get(kind="first_response").due_at
        berlin = due.astimezone(ZoneInfo("Europe/Berlin"))
        text = ack_of(ticket).notification.payload["text"]
        line = next(x for x in text.splitlines() if x.startswith("First response due:"))
        assert f"{berlin:%H:%M}" in line and berlin.tzname() in line, line
        assert "UTC" not in line

    def test_same_message_twice_creates_nothing_new(self, world):
        new_request(world)
        again = mail_ingest(raw=eml("outlook-new-request-cp1252.eml"), via="smtp", now=NOW)
        assert again.created is False
        assert Ticket.objects.count() == 1 and OutboundMessage.objects.count() == 1

    def test_professional_contact_is_pointed_to_the_portal(self, world):
        raw = eml("outlook-new-request-cp1252.eml").replace(
            b"gus@globex.example", b"peter@initech.example"
        )
        inbound = ingest(raw)
        assert (inbound.status, inbound.outcome) == (InboundStatus.REFUSED, "channel_not_in_plan")
        out = OutboundMessage.objects.get(inbound=inbound)
        assert out.kind == "portal_pointer" and "portal" in out.notification.payload["text"]
        assert Ticket.objects.count() == 0

    def test_portal_pointer_names_the_plan_and_the_portal_once(self, world, settings):
        settings.SLADESK_PORTAL_URL = "https://desk.example/portal/"
        raw = eml("outlook-new-request-cp1252.eml").replace(
            b"gus@globex.example", b"peter@initech.example"
        )
        text = OutboundMessage.objects.get(inbound=ingest(raw)).notification.payload["text"]
        assert (
            "Thank you for writing. E-mail support is not part of E10 Support (Professional "
            "Edition): please open tickets in the portal at https://desk.example/portal/."
        ) in text
        assert text.count("https://desk.example/portal/") == 1

    def test_unknown_sender_is_refused_politely_and_held(self, world):
        raw = eml("outlook-new-request-cp1252.eml").replace(
            b"gus@globex.example", b"someone@gmail.example"
        )
        inbound = ingest(raw)
        assert (inbound.status, inbound.outcome) == (InboundStatus.HELD, "unknown_organisation")
        assert OutboundMessage.objects.get(inbound=inbound).kind == "refusal"

    def test_missing_from_is_held_without_reply(self, world):
        lines = eml("mailinglist-bulk.eml").split(b"\n")
        raw = b"\n".join(
            line for line in lines if not line.startswith((b"From:", b"Precedence", b"List-"))
        )
        inbound = ingest(raw)
        assert (inbound.status, inbound.outcome) == (InboundStatus.HELD, "no_sender")
        assert OutboundMessage.objects.count() == 0

    def test_ten_thousand_recipients_are_held_and_nobody_is_answered(self, world):
        many = ", ".join(f"user{i}@globex.example" for i in range(10_000))
        raw = eml("outlook-new-request-cp1252.eml").replace(
            b'To: "Support" <support@sladesk.localhost>',
            f"To: support@sladesk.localhost, {many}".encode(),
        )
        inbound = ingest(raw)
        assert (inbound.status, inbound.outcome) == (InboundStatus.HELD, "too_many_recipients")
        assert "10001 recipients" in inbound.reason
        assert OutboundMessage.objects.count() == 0 and Ticket.objects.count() == 0

    def test_header_injection_cannot_add_recipients(self, world):
        inbound = ingest(eml("header-injection.eml"))
        assert inbound.outcome == "ticket_opened"
        assert "header injection" in " ".join(inbound.notes)
        assert "\n" not in inbound.ticket.subject
        sent = [m for m in django_mail.outbox if "Hello" in m.subject]
        assert sent and all(m.recipients() == ["maria.garcia@acme.example"] for m in sent)
        assert all("\nX-Evil:" not in m.message().as_string().split("\n\n", 1)[0] for m in sent)


class TestFollowUps:
    def test_reply_threads_by_our_message_id(self, world):
        ticket = new_request(world).ticket
        ack = ack_of(ticket)
        inbound = ingest(eml("gmail-reply.eml", REF=ack.message_id, SUBJECT=ticket.subject))
        assert (inbound.outcome, inbound.ticket) == ("reply_added", ticket)
        assert "our Message-ID" in inbound.reason
        assert inbound.ticket_message.body.startswith("Here is the output")

    def test_reply_threads_by_signed_subject_tag(self, world):
        ticket = new_request(world).ticket
        subject = f"{addressing.ticket_tag(ticket.pk)} {ticket.subject}"
        inbound = ingest(eml("thunderbird-reply-tag-flowed.eml", SUBJECT=subject))
        assert inbound.outcome == "reply_added" and "signed subject tag" in inbound.reason
        assert inbound.ticket_message.body == "The restart did not help; the café team still waits."

    def test_reply_threads_by_signed_reply_address(self, world):
        ticket = new_request(world).ticket
        raw = eml("thunderbird-reply-tag-flowed.eml", SUBJECT="no tag").replace(
            b"To: support@sladesk.localhost", f"To: {addressing.reply_address(ticket.pk)}".encode()
        )
        inbound = ingest(raw)
        assert inbound.outcome == "reply_added" and "signed reply address" in inbound.reason

    def test_bare_or_forged_tag_opens_a_new_ticket_instead(self, world):
        ticket = new_request(world).ticket
        for n, tag in enumerate((f"[#{ticket.pk}]", f"[#{ticket.pk}-0123456789]")):
            raw = eml("thunderbird-reply-tag-flowed.eml", SUBJECT=f"{tag} guess").replace(
                b"thunderbird-0001", f"thunderbird-x{n}".encode()
            )
            inbound = ingest(raw)
            assert inbound.outcome == "ticket_opened" and inbound.ticket != ticket
            assert "not signed" in " ".join(inbound.notes)

    def test_sender_of_another_organisation_is_held_and_told(self, world):
        ticket = new_request(world).ticket
        subject = f"{addressing.ticket_tag(ticket.pk)} hijack"
        raw = eml("thunderbird-reply-tag-flowed.eml", SUBJECT=subject).replace(
            b"gus@globex.example", b"maria.garcia@acme.example"
        )
        inbound = ingest(raw)
        assert (inbound.status, inbound.outcome) == (InboundStatus.HELD, "unauthorised_sender")
        assert "not a registered contact" in inbound.reason
        assert ticket.messages.filter(visibility="public").count() == 1
        assert OutboundMessage.objects.get(inbound=inbound).kind == "held"

    def test_forged_agent_from_is_held(self, world):
        ticket = new_request(world).ticket
        subject = f"{addressing.ticket_tag(ticket.pk)} closing"
        raw = eml("thunderbird-reply-tag-flowed.eml", SUBJECT=subject).replace(
            b"gus@globex.example", world.engineer.user.email.encode()
        )
        inbound = ingest(raw)
        assert (inbound.status, inbound.outcome) == (InboundStatus.HELD, "unauthorised_sender")
        assert "forged From is not trusted" in inbound.reason
        assert ticket.messages.filter(visibility="public").count() == 1

    @override_settings(SLADESK_MAIL_TRUSTED_AUTHSERV_IDS=["mx.sladesk.localhost"])
    def test_authenticated_agent_reply_is_added(self, world):
        ticket = new_request(world).ticket
        subject = f"{addressing.ticket_tag(ticket.pk)} answer"
        raw = eml("thunderbird-reply-tag-flowed.eml", SUBJECT=subject).replace(
            b"gus@globex.example", world.engineer.user.email.encode()
        )
        raw = b"Authentication-Results: mx.sladesk.localhost; dmarc=pass header.from=x\n" + raw
        inbound = ingest(raw)
        assert inbound.outcome == "reply_added"
        assert inbound.ticket_message.author_kind == "agent"

    def test_reply_to_a_closed_ticket_is_refused_with_a_reason(self, world):
        ticket = new_request(world).ticket
        actor = world.actor(world.engineer)
        ticket_status_set(ticket=ticket, status="solved", actor=actor, reason="done", now=NOW)
        ticket_status_set(ticket=ticket, status="closed", actor=actor, reason="done", now=NOW)
        inbound = ingest(
            eml("thunderbird-reply-tag-flowed.eml", SUBJECT=addressing.ticket_tag(ticket.pk))
        )
        assert inbound.status == InboundStatus.REFUSED
        assert OutboundMessage.objects.get(inbound=inbound).kind == "reply_refused"


class TestRobots:
    def test_autoreply_to_our_acknowledgement_is_ignored_not_answered(self, world):
        ticket = new_request(world).ticket
        ack = ack_of(ticket)
        inbound = ingest(eml("autoreply-rfc3834.eml", REF=ack.message_id, SUBJECT="x"))
        assert (inbound.status, inbound.outcome, inbound.ticket) == (
            InboundStatus.IGNORED,
            "automatic",
            ticket,
        )
        assert (
            OutboundMessage.objects.count() == 1
            and ticket.messages.filter(visibility="public").count() == 1
        )

    def test_mailing_list_is_ignored(self, world):
        inbound = ingest(eml("mailinglist-bulk.eml"))
        assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "automatic")

    def test_dsn_is_recorded_against_the_bounced_acknowledgement(self, world):
        ticket = new_request(world).ticket
        ack = ack_of(ticket)
        inbound = ingest(eml("dsn-rfc3464.eml", REF=ack.message_id))
        assert (inbound.outcome, inbound.bounced) == ("bounce", ack)
        ack.refresh_from_db()
        assert ack.bounced_at == NOW and ack.bounce_status == "failed 5.1.1"
        assert "User unknown" in ack.bounce_detail

    def test_our_own_message_coming_back_is_a_loop(self, world):
        ticket = new_request(world).ticket
        sent = next(m for m in django_mail.outbox if m.to == ["gus@globex.example"])
        inbound = ingest(sent.message().as_bytes())
        assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "loop")
        assert ticket.messages.filter(visibility="public").count() == 1

    @override_settings(SLADESK_MAIL_AUTOREPLY_LIMIT=2)
    def test_automatic_replies_to_one_sender_are_rate_limited(self, world):
        for n in range(4):
            raw = eml("outlook-new-request-cp1252.eml").replace(
                b"gus@globex.example", b"x@unknown.example"
            )
            ingest(raw.replace(b"outlook-gus-1", f"outlook-gus-{n}".encode()))
        assert OutboundMessage.objects.filter(to_address="x@unknown.example").count() == 2
        assert InboundMessage.objects.filter(status=InboundStatus.HELD).count() == 4


class TestQuarantine:
    def test_error_is_quarantined_and_reprocessable(self, world, monkeypatch):
        from sladesk.mail import services

        stored = mail_ingest(
            raw=eml("outlook-new-request-cp1252.eml"), via="smtp", now=NOW, process=False
        )
        monkeypatch.setattr(services, "parse_mail", lambda raw: 1 / 0)
        inbound = mail_process(inbound_id=stored.inbound.pk, now=NOW)
        assert inbound.status == InboundStatus.QUARANTINED and "ZeroDivisionError" in inbound.error
        assert Ticket.objects.count() == 0
        monkeypatch.undo()
        inbound = mail_reprocess(inbound=inbound, now=NOW)
        assert inbound.outcome == "ticket_opened" and inbound.error == ""

    def test_processing_twice_does_nothing_new(self, world):
        inbound = new_request(world)
        again = mail_process(inbound_id=inbound.pk, now=NOW)
        assert again.status == InboundStatus.PROCESSED and Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "charset-koi8r.eml",
        "charset-shiftjis.eml",
        "broken-mime-no-boundary.eml",
        "html-only-script.eml",
        "applemail-attachment-latin1.eml",
        "path-traversal-tnef.eml",
    ],
)
def test_fixture_shapes_become_tickets_or_defined_outcomes(world, name):
    inbound = ingest(eml(name))
    assert inbound.status in (InboundStatus.PROCESSED, InboundStatus.HELD), inbound.error
    assert inbound.error == ""


def plain_mail(subject: str, body: str, *, sender: str = "gus@globex.example") -> bytes:
    return (
        f"From: Gus <{sender}>\r\nTo: support@sladesk.localhost\r\nSubject: {subject}\r\n"
        f"Message-ID: <{abs(hash((subject, body)))}@globex.example>\r\n"
        "Date: Wed, 25 Nov 2026 09:00:00 +0000\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


class TestRequestedLevel:
    def test_no_level_given_uses_the_default_and_says_so(self, world, settings):
        settings.SLADESK_MAIL_DEFAULT_SEVERITY = "L3"
        ticket = ingest(plain_mail("Question about backups", "How do I back up?")).ticket
        assert (ticket.severity, ticket.requested_severity) == ("L3", "L3")
        assert ticket.severity_reason == "default for e-mail (no level given)"
        text = ack_of(ticket).notification.payload["text"]
        assert "L3 - default for e-mail (no level given)" in text
        assert 'reply with a line such as "Severity: L1"' in text and "use the portal" in text

    def test_a_subject_tag_asks_for_a_level_and_is_removed(self, world):
        ticket = ingest(plain_mail("[L1] Production is down", "Everything fails.")).ticket
        assert (ticket.severity, ticket.severity_reason) == ("L1", "as requested")
        assert ticket.subject == "Production is down"
        text = ack_of(ticket).notification.payload["text"]
        assert "default for e-mail" not in text

    def test_a_severity_line_in_the_body_asks_for_a_level(self, world):
        body = "Hello,\nseverity: l2\nThe import is slow.\n> Level: L1 (quoted, ignored)"
        ticket = ingest(plain_mail("Slow import", body)).ticket
        assert (ticket.severity, ticket.severity_reason) == ("L2", "as requested")

    def test_an_unknown_level_falls_back_to_the_default(self, world):
        ticket = ingest(plain_mail("[L9] Hello", "Level: L7")).ticket
        assert ticket.severity_reason == "default for e-mail (no level given)"
