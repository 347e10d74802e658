from __future__ import annotations

import hashlib
import io

import pytest

from sladesk.core.exceptions import PermissionDenied
from sladesk.tickets.models import Attachment
from sladesk.tickets.services import (
    AttachmentTooLarge,
    Upload,
    attachment_add,
    ticket_note,
    ticket_reply,
)
from sladesk.tickets.services.attachments import safe_filename, sniff_content_type
from tests.accounts.factories import NOW
from tests.tickets.conftest import open_ticket

pytestmark = pytest.mark.django_db


class TestAttachmentAdd:
    def test_stored_with_sha256_size_and_type(self, world):
        ticket = open_ticket(world.gus)
        data = b"%PDF-1.7\n" + b"x" * 3_000_000
        attachment = attachment_add(
            ticket=ticket,
            upload=Upload(io.BytesIO(data), "report.bin"),
            actor=world.actor(world.gus),
            now=NOW,
        )
        assert attachment.size == len(data)
        assert attachment.sha256 == hashlib.sha256(data).hexdigest()
        assert attachment.content_type == "application/pdf"
        with attachment.file.open("rb") as stored:
            assert stored.read() == data
        assert ticket.events.filter(kind="attached").exists()

    def test_size_limit_refused_clearly(self, world, settings):
        settings.SLADESK_MAX_ATTACHMENT_BYTES = 1000
        ticket = open_ticket(world.gus)
        with pytest.raises(AttachmentTooLarge) as caught:
            attachment_add(
                ticket=ticket,
                upload=Upload(io.BytesIO(b"a" * 1001), "big.log"),
                actor=world.actor(world.gus),
                now=NOW,
            )
        assert caught.value.code == "attachment_too_large"
        assert "limit of 1000 bytes" in caught.value.message
        assert not Attachment.objects.exists()

    def test_note_attachments_are_internal(self, world):
        ticket = open_ticket(world.gus)
        agent = world.actor(world.engineer)
        note = ticket_note(
            ticket=ticket,
            body="dump",
            actor=agent,
            now=NOW,
            attachments=[Upload(io.BytesIO(b"\x7fELF..."), "core")],
        )
        attachment = note.attachments.get()
        assert attachment.internal is True and attachment.content_type == "application/x-elf"

    def test_reply_with_attachment(self, world):
        ticket = open_ticket(world.gus)
        message = ticket_reply(
            ticket=ticket,
            body="logs",
            actor=world.actor(world.gus),
            now=NOW,
            attachments=[Upload(io.BytesIO(b"level=error msg=boom\n"), "mattermost.log")],
        )
        assert message.attachments.get().content_type == "text/plain"

    def test_contact_cannot_add_internal(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied):
            attachment_add(
                ticket=ticket,
                upload=Upload(io.BytesIO(b"x"), "a.txt"),
                actor=world.actor(world.gus),
                internal=True,
                now=NOW,
            )

    def test_outsider_refused(self, world):
        ticket = open_ticket(world.gus)
        with pytest.raises(PermissionDenied):
            attachment_add(
                ticket=ticket,
                upload=Upload(io.BytesIO(b"x"), "a.txt"),
                actor=world.actor(world.maria),
                now=NOW,
            )


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n....", "screenshot", "image/png"),
        (b"\xff\xd8\xff\xe0", "photo.png", "image/jpeg"),  # the bytes win over the name
        (b"\x1f\x8b\x08", "support-packet.log", "application/gzip"),
        (b"PK\x03\x04", "packet.zip", "application/zip"),
        (
            b"PK\x03\x04",
            "notes.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (b"MDMP\x93\xa7", "crash.dmp", "application/x-dmp"),
        (b'{"a": 1}', "config.json", "application/json"),
        (b"plain words", "README", "text/plain"),
        (b"\x00\x01\x02\x03", "blob", "application/octet-stream"),
        (b"\x00" * 257 + b"ustar", "logs.tar", "application/x-tar"),
    ],
)
def test_sniff_content_type(head, name, expected):
    assert sniff_content_type(head, filename=name) == expected


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\logs\\a.log") == "a.log"
    assert safe_filename("") == "attachment"
