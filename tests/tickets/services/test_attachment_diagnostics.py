"""Diagnostics attached to tickets through every channel are redacted before storage.

The attachment filter (``SLADESK_ATTACHMENT_FILTERS``, default
``sladesk.packets.filters.redact_diagnostics``) runs inside ``attachment_add``; here it is
driven directly, through the REST API, the portal and the CLI. Secrets are planted in
every sensitive setting and in the logs (``tests/packets/factory.py``).
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from sladesk.accounts.actor import Actor
from sladesk.core import time as desk_time
from sladesk.core.exceptions import DeskError
from sladesk.packets.models import EnvironmentFact, Finding, PacketAnalysis
from sladesk.packets.results import PacketRefused
from sladesk.tickets.models import Attachment, EventKind, TicketClock, TicketMessage
from sladesk.tickets.services import (
    FilterResult,
    Upload,
    attachment_add,
    ticket_reply,
    ticket_system_message,
)
from tests.accounts.factories import NOW
from tests.packets import factory
from tests.packets.diagnostics import leaks, unzipped
from tests.tickets.conftest import open_ticket
from tests.tickets.test_api import Api

pytestmark = pytest.mark.django_db

PACKET_NAME = "mm_support_packet_Acme-Corp_2026-05-20T14-03.zip"
#: A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def packet() -> bytes:
    return factory.packet_bytes(layout="per_node", node_versions=("11.7.9", "11.6.1"))


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def every_stored_byte(media: Path) -> bytes:
    """Every file under the media root, with zip members decompressed."""
    return b"".join(unzipped(path.read_bytes()) for path in stored_files(media))


def every_shown_text(ticket) -> str:
    """Every message, event and analysis row of the ticket, as text."""
    rows = [
        list(TicketMessage.objects.filter(ticket=ticket).values()),
        list(ticket.events.values()),
        list(Attachment.objects.filter(ticket=ticket).values()),
        list(PacketAnalysis.objects.values()),
        list(Finding.objects.values()),
        list(EnvironmentFact.objects.values()),
    ]
    return json.dumps(rows, default=str)


def clock_rows(ticket) -> list[tuple]:
    return list(
        TicketClock.objects.filter(ticket=ticket)
        .order_by("id")
        .values_list("kind", "seq", "due_at", "met_at", "stopped_at", "paused_at")
    )


def assert_diagnostics_handled(ticket, attachment, media: Path, *, uploaded: bytes) -> None:
    """The contract every channel must meet for a packet with planted secrets."""
    ticket.refresh_from_db()
    # the stored attachment is the redacted artefact; no secret is stored or shown anywhere
    assert attachment.filename == "mm_support_packet_Acme-Corp_2026-05-20T14-03.redacted.zip"
    assert attachment.content_type == "application/zip"
    stored = attachment.file.open("rb").read()
    attachment.file.close()
    assert len(stored) == attachment.size
    assert leaks(unzipped(stored), every_stored_byte(media), every_shown_text(ticket)) == []
    assert leaks(unzipped(uploaded)) != []  # the planted secrets were there to find
    # the analysis is linked, keeps the original's SHA-256 and points at the attachment
    analysis = PacketAnalysis.objects.get(ticket=ticket)
    assert analysis.summary["attachment"] == attachment.pk
    assert analysis.artefact.name == attachment.file.name
    assert analysis.sha256 != attachment.sha256 and analysis.artefact_sha256 == attachment.sha256
    assert analysis.findings.filter(rule_id="cluster-version-mismatch").exists()
    # agents: an internal note by the desk with the findings
    note = ticket.messages.get(visibility="internal", author_kind="system")
    assert note.author_label == "sladesk"
    assert "Cluster nodes run different server versions" in note.body
    assert analysis.sha256 in note.body
    # the customer: a public notice with file names, counts and setting names, no values
    notice = ticket.messages.get(visibility="public", author_kind="system")
    assert notice.author is None and notice.author_label == "sladesk"
    for setting in (
        "LdapSettings.BindPassword",
        "SqlSettings.DataSource",
        "EmailSettings.SMTPPassword",
        "PluginSettings.Plugins",
    ):
        assert setting in notice.body
    assert "ip-10-0-1-12/mattermost.log" in notice.body
    assert leaks(notice.body) == []
    # the system message meets and starts no clock
    assert ticket.first_responded_at is None
    first = TicketClock.objects.get(ticket=ticket, kind="first_response")
    assert first.met_at is None and first.stopped_at is None
    assert not ticket.events.filter(kind=EventKind.CLOCK_MET).exists()
    replied = ticket.events.get(kind=EventKind.REPLIED, data__author="system")
    assert replied.data["reason"] == "redaction_notice"
    attached = ticket.events.get(kind=EventKind.ATTACHED, data__attachment=attachment.pk)
    assert attached.data["replaced"]["sha256"] == analysis.sha256
    assert attached.data["replaced"]["filename"] == PACKET_NAME


class TestAttachmentAdd:
    def test_packet_is_redacted_analysed_and_told(self, world, media, packet):
        ticket = open_ticket(world.maria, environment=world.acme_prod)
        before = clock_rows(ticket)
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(packet), PACKET_NAME),
            actor=world.actor(world.maria),
            now=NOW,
        )
        assert_diagnostics_handled(ticket, attachment, media, uploaded=packet)
        assert clock_rows(ticket) == before
        assert ticket.status == "new"
        # facts went onto the ticket's environment
        fact = EnvironmentFact.objects.filter(environment=world.acme_prod, key="server.version")
        assert fact.exists()

    def test_reply_with_packet_keeps_the_first_response_clock_running(self, world, media, packet):
        ticket = open_ticket(world.maria, environment=world.acme_prod)
        ticket_reply(
            ticket=ticket,
            body="Here is our support packet.",
            actor=world.actor(world.maria),
            attachments=[Upload(io.BytesIO(packet), PACKET_NAME)],
            now=NOW,
        )
        reply = ticket.messages.get(author_kind="contact", body="Here is our support packet.")
        attachment = reply.attachments.get()
        assert_diagnostics_handled(ticket, attachment, media, uploaded=packet)
        assert not TicketClock.objects.filter(ticket=ticket, kind="next_reply").exists()
        # the thread reads: the reply, then the desk's notice
        thread = list(ticket.messages.filter(visibility="public").order_by("created_at", "id"))
        assert [m.author_kind for m in thread] == ["contact", "contact", "system"]

    def test_opening_with_a_config_and_a_log(self, world, media):
        config = json.dumps(factory.config(), indent=2).encode()
        log = factory.log_text().encode()
        ticket = open_ticket(
            world.maria,
            environment=world.acme_prod,
            attachments=[
                Upload(io.BytesIO(config), "config.json"),
                Upload(io.BytesIO(log), "mattermost.log"),
            ],
        )
        names = sorted(ticket.attachments.values_list("filename", flat=True))
        assert names == ["config.redacted.json", "mattermost.redacted.log"]
        assert leaks(every_stored_byte(media), every_shown_text(ticket)) == []
        assert PacketAnalysis.objects.filter(ticket=ticket).count() == 2
        notices = ticket.messages.filter(visibility="public", author_kind="system")
        assert notices.count() == 2
        assert any("SqlSettings.AtRestEncryptKey" in n.body for n in notices)
        ticket.refresh_from_db()
        assert ticket.first_responded_at is None

    def test_a_png_is_stored_byte_identical(self, world, media):
        ticket = open_ticket(world.maria)
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(PNG), "screenshot.png"),
            actor=world.actor(world.maria),
            now=NOW,
        )
        assert attachment.filename == "screenshot.png"
        assert attachment.content_type == "image/png"
        assert attachment.file.open("rb").read() == PNG
        attachment.file.close()
        assert not PacketAnalysis.objects.exists()
        assert not ticket.messages.filter(author_kind="system").exists()
        event = ticket.events.get(kind=EventKind.ATTACHED)
        assert "replaced" not in event.data

    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("notes.txt", b"Steps: open the app, click send, wait.\n"),
            ("photos.zip", factory.zip_with([("a.jpg", b"\xff\xd8\xff" + bytes(300))])),
            ("settings.json", b'{"theme": "dark", "token_hint": "none"}\n'),
            ("config.json", b'{"editor.fontSize": 14}\n'),
            ("sample.py", b"import requests\nrequests.get('https://x.example')\n"),
        ],
    )
    def test_other_files_pass_untouched(self, world, media, name, data):
        ticket = open_ticket(world.maria)
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(data), name),
            actor=world.actor(world.maria),
            now=NOW,
        )
        assert attachment.filename == name
        assert attachment.file.open("rb").read() == data
        attachment.file.close()
        assert not PacketAnalysis.objects.exists()

    def test_a_rotated_gzip_log_is_read_redacted_and_stored_as_text(self, world, media):
        log = factory.log_text().encode()
        ticket = open_ticket(world.maria, environment=world.acme_prod)
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(gzip.compress(log)), "mattermost.log.1.gz"),
            actor=world.actor(world.maria),
            now=NOW,
        )
        assert attachment.filename == "mattermost.log.1.redacted"
        stored = attachment.file.open("rb").read()
        attachment.file.close()
        assert stored.startswith(log[:19])  # the log as text, its first record intact
        assert leaks(every_stored_byte(media), every_shown_text(ticket)) == []
        analysis = PacketAnalysis.objects.get(ticket=ticket)
        assert analysis.kind == "log_json" and analysis.summary["replaced"] is True

    def test_a_clean_log_is_kept_as_is_but_analysed(self, world, media):
        data = b"2026-05-20 13:58:05.118 Z info server started\n"
        ticket = open_ticket(world.maria)
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(data), "console.txt"),
            actor=world.actor(world.maria),
            now=NOW,
        )
        assert attachment.filename == "console.txt"
        assert attachment.file.open("rb").read() == data
        attachment.file.close()
        analysis = PacketAnalysis.objects.get(ticket=ticket)
        assert analysis.kind == "log_plain" and analysis.summary["replaced"] is False
        # nothing removed: no notice for the customer
        assert not ticket.messages.filter(visibility="public", author_kind="system").exists()

    def test_a_zip_bomb_is_refused_and_nothing_is_stored(self, world, media):
        bomb = factory.zip_with(
            [
                ("metadata.yaml", factory.metadata_yaml().encode()),
                ("mattermost.log", b"\0" * (8 * 1024 * 1024)),
            ]
        )
        ticket = open_ticket(world.maria)
        events = ticket.events.count()
        with pytest.raises(PacketRefused) as caught:
            attachment_add(
                ticket=ticket,
                upload=Upload(io.BytesIO(bomb), "mm_support_packet_bomb.zip"),
                actor=world.actor(world.maria),
                now=NOW,
            )
        assert isinstance(caught.value, DeskError)
        assert caught.value.code == "packet_zip_bomb"
        assert "zip bomb" in caught.value.message
        assert caught.value.message.startswith("mm_support_packet_bomb.zip: ")
        assert stored_files(media) == []
        assert not Attachment.objects.exists() and not PacketAnalysis.objects.exists()
        assert ticket.events.count() == events

    def test_a_bomb_refuses_the_whole_reply(self, world, media):
        bomb = factory.zip_with(
            [("metadata.yaml", b"version: 1\n"), ("mattermost.log", b"\0" * (8 * 1024 * 1024))]
        )
        ticket = open_ticket(world.maria)
        messages = ticket.messages.count()
        with pytest.raises(PacketRefused, match="zip bomb"):
            ticket_reply(
                ticket=ticket,
                body="logs attached",
                actor=world.actor(world.maria),
                attachments=[
                    Upload(io.BytesIO(PNG), "screen.png"),
                    Upload(io.BytesIO(bomb), "packet.zip"),
                ],
                now=NOW,
            )
        assert ticket.messages.count() == messages
        assert not Attachment.objects.exists()
        # the PNG saved before the refusal is the tickets app's known limit (storage has no
        # rollback); nothing of the bomb was ever written
        assert all(b"\0" * 1024 not in p.read_bytes() for p in stored_files(media))

    @pytest.mark.parametrize(
        ("name", "data", "code"),
        [
            ("mattermost.log.gz", b"\x1f\x8b\x08\x00" + bytes(64), "packet_unsupported_archive"),
            (
                "config.json.gz",
                gzip.compress(b'{"ServiceSettings": {}}'),
                "packet_unsupported_archive",
            ),
            ("mattermost.log.bz2", b"BZh91AY&SY" + bytes(64), "packet_unsupported_archive"),
            ("config.json", b"{ not json at all\n", "packet_invalid_json"),
            ("mm_support_packet_x.zip", b"PK\x03\x04truncated", "packet_not_zip"),
            ("mm_support_packet_x.zip", factory.zip_with([("a.txt", b"x")]), "packet_not_a_packet"),
        ],
    )
    def test_hostile_or_broken_diagnostics_are_refused(self, world, media, name, data, code):
        ticket = open_ticket(world.maria)
        with pytest.raises(PacketRefused) as caught:
            attachment_add(
                ticket=ticket,
                upload=Upload(io.BytesIO(data), name),
                actor=world.actor(world.maria),
                now=NOW,
            )
        assert caught.value.code == code
        assert caught.value.details["filename"] == name
        assert stored_files(media) == []

    def test_an_internal_upload_is_redacted_and_tells_agents_only(self, world, media, packet):
        ticket = open_ticket(world.maria)
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(packet), PACKET_NAME),
            actor=world.actor(world.engineer),
            internal=True,
            now=NOW,
        )
        assert attachment.internal and attachment.filename.endswith(".redacted.zip")
        assert leaks(every_stored_byte(media)) == []
        # a public notice would name an internal file: the notice is in the internal note
        assert not ticket.messages.filter(visibility="public", author_kind="system").exists()
        note = ticket.messages.get(visibility="internal", author_kind="system")
        assert "Customer notice:" in note.body

    def test_original_kept_encrypted_only_when_asked(self, world, media, packet, settings):
        settings.SLADESK_KEEP_ORIGINAL_PACKETS = True
        settings.SLADESK_PACKET_KEY = "test-packet-key"
        ticket = open_ticket(world.maria)
        attach = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(packet), PACKET_NAME),
            actor=world.actor(world.maria),
            now=NOW,
        )
        analysis = PacketAnalysis.objects.get(ticket=ticket)
        assert analysis.original.name.startswith("packets-originals/")
        assert attach.file.name.startswith(f"tickets/{ticket.pk}/")
        assert leaks(every_stored_byte(media)) == []


class TestFilterHook:
    def test_filters_are_read_at_call_time(self, world, media, packet, settings):
        settings.SLADESK_ATTACHMENT_FILTERS = []
        ticket = open_ticket(world.maria)
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(packet), PACKET_NAME),
            actor=world.actor(world.maria),
            now=NOW,
        )
        assert attachment.filename == PACKET_NAME
        assert attachment.file.open("rb").read() == packet
        attachment.file.close()

    def test_a_custom_filter_replaces_and_follows_up(self, world, media, settings, tmp_path):
        seen = []

        def upper(candidate):
            replacement = candidate.workdir / "upper"
            replacement.write_bytes(candidate.path.read_bytes().upper())
            seen.append((candidate.filename, candidate.size, candidate.internal))
            return FilterResult(
                path=replacement,
                filename="LOUD.txt",
                follow_up=lambda attachment: seen.append(attachment.pk),
                label="upper",
            )

        settings.SLADESK_ATTACHMENT_FILTERS = [f"{__name__}.UPPER"]
        globals()["UPPER"] = upper
        ticket = open_ticket(world.maria)
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(b"quiet words\n"), "quiet.txt"),
            actor=world.actor(world.maria),
            now=NOW,
        )
        assert seen == [("quiet.txt", 12, False), attachment.pk]
        assert attachment.filename == "LOUD.txt" and attachment.content_type == "text/plain"
        assert attachment.file.open("rb").read() == b"QUIET WORDS\n"
        attachment.file.close()
        event = ticket.events.get(kind=EventKind.ATTACHED)
        assert event.data["replaced"]["by"] == ["upper"]
        assert event.data["replaced"]["filename"] == "quiet.txt"

    def test_a_failing_follow_up_leaves_nothing_behind(self, world, media, packet, monkeypatch):
        def boom(**kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr("sladesk.packets.filters.ticket_system_message", boom)
        ticket = open_ticket(world.maria)
        with pytest.raises(RuntimeError):
            attachment_add(
                ticket=ticket,
                upload=Upload(io.BytesIO(packet), PACKET_NAME),
                actor=world.actor(world.maria),
                now=NOW,
            )
        assert stored_files(media) == []
        assert not Attachment.objects.exists() and not PacketAnalysis.objects.exists()


class TestSystemMessage:
    def test_public_system_message_touches_no_clock_nor_status(self, world):
        ticket = open_ticket(world.maria)
        before = clock_rows(ticket)
        message = ticket_system_message(
            ticket=ticket, body="We removed 3 secrets.", reason="redaction_notice", now=NOW
        )
        ticket.refresh_from_db()
        assert (message.visibility, message.author_kind, message.author_label) == (
            "public",
            "system",
            "sladesk",
        )
        assert message.channel == "system"
        assert clock_rows(ticket) == before
        assert ticket.status == "new" and ticket.first_responded_at is None
        event = ticket.events.get(kind=EventKind.REPLIED)
        assert event.data == {
            "message": message.pk,
            "author": "system",
            "reason": "redaction_notice",
            "attachments": 0,
        }
        assert event.actor is None and event.actor_label == "sladesk" and event.via == "system"

    def test_an_agent_reply_after_it_still_meets_the_first_response(self, world):
        ticket = open_ticket(world.maria)
        ticket_system_message(ticket=ticket, body="notice", now=NOW)
        ticket_reply(
            ticket=ticket,
            body="Looking into it.",
            actor=world.actor(world.engineer),
            now=NOW.replace(minute=NOW.minute + 1),
        )
        first = TicketClock.objects.get(ticket=ticket, kind="first_response")
        assert first.met_at == NOW.replace(minute=NOW.minute + 1)

    def test_internal_system_message_is_hidden_from_contacts(self, world, client):
        ticket = open_ticket(world.maria)
        ticket_system_message(ticket=ticket, body="for agents", internal=True, now=NOW)
        ticket_system_message(ticket=ticket, body="for everyone", now=NOW)
        messages = Api(client, world.maria).get(f"/tickets/{ticket.pk}/messages").json()
        bodies = [(m["author_kind"], m["author"], m["body"]) for m in messages]
        assert ("system", "sladesk", "for everyone") in bodies
        assert all(b != "for agents" for _, _, b in bodies)


class TestChannels:
    def test_api_upload(self, world, media, packet, client):
        ticket = open_ticket(world.maria, environment=world.acme_prod)
        contact = Api(client, world.maria)
        response = contact.upload(f"/tickets/{ticket.pk}/attachments", PACKET_NAME, packet)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["filename"].endswith(".redacted.zip")
        attachment = Attachment.objects.get(pk=body["id"])
        assert_diagnostics_handled(ticket, attachment, media, uploaded=packet)
        download = contact.get(f"/tickets/{ticket.pk}/attachments/{attachment.pk}")
        assert leaks(unzipped(b"".join(download.streaming_content))) == []
        messages = contact.get(f"/tickets/{ticket.pk}/messages").json()
        notices = [m for m in messages if m["author_kind"] == "system"]
        assert len(notices) == 1 and notices[0]["author"] == "sladesk"
        assert "LdapSettings.BindPassword" in notices[0]["body"]
        assert leaks(json.dumps(messages)) == []

    def test_api_upload_of_a_zip_bomb_is_refused_with_the_reason(self, world, media, client):
        bomb = factory.zip_with(
            [("metadata.yaml", b"version: 1\n"), ("mattermost.log", b"\0" * (8 * 1024 * 1024))]
        )
        ticket = open_ticket(world.maria)
        response = Api(client, world.maria).upload(
            f"/tickets/{ticket.pk}/attachments", "packet.zip", bomb
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "packet_zip_bomb" and "zip bomb" in error["message"]
        assert stored_files(media) == [] and not Attachment.objects.exists()

    def test_api_png_is_byte_identical(self, world, media, client):
        ticket = open_ticket(world.maria)
        contact = Api(client, world.maria)
        body = contact.upload(f"/tickets/{ticket.pk}/attachments", "shot.png", PNG).json()
        download = contact.get(f"/tickets/{ticket.pk}/attachments/{body['id']}")
        assert b"".join(download.streaming_content) == PNG

    def test_portal_reply_upload(self, world, media, packet):
        maria = Client()
        maria.force_login(world.maria.user)
        ticket = open_ticket(world.maria, environment=world.acme_prod, now=desk_time.now())
        response = maria.post(
            f"/portal/tickets/{ticket.pk}/reply/",
            {
                "body": "Support packet attached.",
                "attachments": [SimpleUploadedFile(PACKET_NAME, packet)],
            },
        )
        assert response.status_code == 302
        attachment = Attachment.objects.get(ticket=ticket)
        assert_diagnostics_handled(ticket, attachment, media, uploaded=packet)
        page = maria.get(f"/portal/tickets/{ticket.pk}/").content.decode()
        assert "automatic message" in page and "sladesk" in page
        assert "LdapSettings.BindPassword" in page
        assert "Cluster nodes run different server versions" not in page  # internal note
        assert leaks(page) == []

    def test_portal_zip_bomb_shows_the_reason(self, world, media):
        maria = Client()
        maria.force_login(world.maria.user)
        ticket = open_ticket(world.maria, now=desk_time.now())
        bomb = factory.zip_with(
            [("metadata.yaml", b"version: 1\n"), ("mattermost.log", b"\0" * (8 * 1024 * 1024))]
        )
        response = maria.post(
            f"/portal/tickets/{ticket.pk}/reply/",
            {"body": "here", "attachments": [SimpleUploadedFile("packet.zip", bomb)]},
        )
        assert response.status_code == 422
        assert "zip bomb" in response.content.decode()
        assert stored_files(media) == [] and not Attachment.objects.exists()

    def test_console_shows_the_system_messages(self, world, media, packet):
        ticket = open_ticket(world.maria, environment=world.acme_prod, now=desk_time.now())
        attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(packet), PACKET_NAME),
            actor=world.actor(world.maria),
        )
        erin = Client()
        erin.force_login(world.engineer.user)
        page = erin.get(f"/console/tickets/{ticket.pk}/").content.decode()
        assert "automatic message" in page
        assert "Cluster nodes run different server versions" in page
        assert leaks(page) == []

    def test_cli_reply_with_attach(self, world, media, packet, tmp_path):
        ticket = open_ticket(world.maria, environment=world.acme_prod, now=desk_time.now())
        path = factory.write(tmp_path / PACKET_NAME, packet)
        out = io.StringIO()
        call_command(
            "ticket",
            "reply",
            str(ticket.pk),
            "--as",
            world.maria.email,
            "--body",
            "Packet from the CLI.",
            "--attach",
            str(path),
            stdout=out,
        )
        attachment = Attachment.objects.get(ticket=ticket)
        assert attachment.message.body == "Packet from the CLI."
        assert_diagnostics_handled(ticket, attachment, media, uploaded=packet)
        assert PacketAnalysis.objects.get().created_label.endswith("(CLI)")
        shown = io.StringIO()
        call_command("ticket", "show", str(ticket.pk), stdout=shown)
        assert "sladesk" in shown.getvalue() and leaks(shown.getvalue()) == []

    def test_cli_packet_analyze_still_attaches_once(self, world, media, packet, tmp_path):
        ticket = open_ticket(world.maria)
        path = factory.write(tmp_path / PACKET_NAME, packet)
        call_command(
            "packet",
            "analyze",
            str(path),
            "--ticket",
            str(ticket.pk),
            "--agent",
            world.engineer.user.get_username(),
            "--no-progress",
            stdout=io.StringIO(),
        )
        assert PacketAnalysis.objects.count() == 1
        attachment = Attachment.objects.get(ticket=ticket)
        assert attachment.internal and attachment.filename.endswith(".redacted.zip")
        assert leaks(every_stored_byte(media)) == []


def test_agent_actor_label_in_note(world, media, packet):
    ticket = open_ticket(world.maria)
    attachment_add(
        ticket=ticket,
        upload=Upload(io.BytesIO(packet), PACKET_NAME),
        actor=Actor.for_user(world.maria.user, via="web"),
        now=NOW,
    )
    note = ticket.messages.get(visibility="internal")
    assert f"attached {PACKET_NAME}" in note.body and "through web" in note.body
