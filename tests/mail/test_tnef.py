"""Outlook's winmail.dat (TNEF): the files and text inside reach the ticket as themselves.

The TNEF blobs are built here, attribute by attribute (the format: a signature, a key,
then level / id / type / length / data / checksum records), so the suite needs no
binary fixture; the corpus's real-world TNEF messages are read too when ``../shared``
is here.
"""

from __future__ import annotations

import struct

import pytest

from sladesk.mail.parsing import parse_mail
from sladesk.mail.tnef import tnef_unpack

SIGNATURE = 0x223E9F78
MESSAGE, ATTACHMENT = 1, 2
BODY, ATTACH_RENDER, ATTACH_TITLE, ATTACH_DATA = 0x800C, 0x9002, 0x8010, 0x800F
TEXT, BYTES = 0x0002, 0x0006


def record(level: int, name: int, kind: int, data: bytes) -> bytes:
    return (
        struct.pack("<BHHI", level, name, kind, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def tnef_blob(*, body: str = "", files: tuple[tuple[str, bytes], ...] = ()) -> bytes:
    out = struct.pack("<IH", SIGNATURE, 0x1234)
    if body:
        out += record(MESSAGE, BODY, TEXT, body.encode("cp1252") + b"\x00")
    for name, data in files:
        out += record(ATTACHMENT, ATTACH_RENDER, BYTES, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)
        out += record(ATTACHMENT, ATTACH_TITLE, TEXT, name.encode("cp1252") + b"\x00")
        out += record(ATTACHMENT, ATTACH_DATA, BYTES, data)
    return out


def outlook_mail(blob: bytes, *, text: str | None = None) -> bytes:
    """An Outlook-shaped message: an optional text part and winmail.dat, base64."""
    import base64

    encoded = base64.encodebytes(blob).decode()
    parts = ""
    if text is not None:
        parts += "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text + "\r\n"
    parts += (
        '--b1\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="winmail.dat"\r\n\r\n'
        + encoded
        + "\r\n--b1--\r\n"
    )
    return (
        "From: Gus Grissom <gus@globex.example>\r\nTo: support@sladesk.localhost\r\n"
        "Subject: Server log attached\r\nMessage-ID: <tnef-1@globex.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n'
        "X-MS-TNEF-Correlator: <00000000ABCD@globex.example>\r\n\r\n" + parts
    ).encode()


LOG = b"2026-11-25T09:00:00Z error store: connection refused\n" * 20


class TestUnpacking:
    def test_files_and_body_come_out_of_the_blob(self):
        found = tnef_unpack(
            tnef_blob(body="See the log.", files=(("server.log", LOG), ("shot.png", b"\x89PNG")))
        )
        assert found is not None
        assert [(f.filename, f.content_type, f.payload) for f in found.files] == [
            ("server.log", "text/plain", LOG),
            ("shot.png", "image/png", b"\x89PNG"),
        ]
        assert found.text == "See the log."
        assert not found.empty

    @pytest.mark.parametrize(
        "blob",
        [b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, struct.pack("<IH", SIGNATURE, 1) + b"\x01\x0c"],
        ids=["empty", "a PNG named winmail.dat", "truncated"],
    )
    def test_what_is_not_readable_tnef_gives_nothing_and_never_raises(self, blob):
        found = tnef_unpack(blob)
        assert found is None or found.empty


class TestParsedMail:
    def test_the_files_inside_winmail_dat_become_the_attachments(self):
        blob = tnef_blob(body="See the log.", files=(("server.log", LOG),))
        mail = parse_mail(outlook_mail(blob, text="Our server stopped, log attached."))
        assert [(a.filename, a.content_type, a.payload) for a in mail.attachments] == [
            ("server.log", "text/plain", LOG)
        ]
        assert mail.tnef == "unpacked"
        assert mail.text.startswith("Our server stopped")

    def test_a_tnef_only_message_gets_its_body_from_the_blob(self):
        mail = parse_mail(outlook_mail(tnef_blob(body="The desk is down since 9:00.")))
        assert "The desk is down since 9:00." in mail.text
        assert mail.attachments == ()

    def test_a_blob_that_cannot_be_read_is_kept_as_winmail_dat(self):
        mail = parse_mail(outlook_mail(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, text="see attached"))
        assert [a.filename for a in mail.attachments] == ["winmail.dat"]
        assert mail.tnef == "kept"


class TestCorpus:
    """Real-world TNEF messages from public test suites (``../shared/corpus/mail``)."""

    def test_a_workmail_bounce_with_an_empty_tnef_keeps_it(self, shared_dir):
        raw = (shared_dir / "corpus/mail/sisimai-dsn-workmail-tnef-winmail.eml").read_bytes()
        mail = parse_mail(raw)
        assert mail.bounce is not None
        assert mail.tnef == "kept"

    def test_a_mislabelled_winmail_dat_is_kept_as_it_came(self, shared_dir):
        raw = (shared_dir / "corpus/mail/zbateson-outlook-read-receipt-tnef-only.eml").read_bytes()
        mail = parse_mail(raw)
        assert mail.tnef == "kept"
        assert any(a.filename.lower() == "winmail.dat" for a in mail.attachments)


@pytest.mark.django_db
class TestTicket:
    def test_an_outlook_request_opens_a_ticket_with_the_files_from_winmail_dat(self, world, media):
        from tests.mail.test_services import ingest

        blob = tnef_blob(body="See the log.", files=(("server.log", LOG),))
        inbound = ingest(outlook_mail(blob, text="Our server stopped, log attached."))
        assert inbound.status == "processed", inbound.error
        ticket = inbound.ticket_message.ticket
        assert [(a.filename, a.content_type, a.size) for a in ticket.attachments.all()] == [
            ("server.log", "text/plain", len(LOG))
        ]
        assert any("taken out of it" in note for note in inbound.notes)
