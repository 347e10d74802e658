"""Attachments: streamed to the configured storage with SHA-256, size and content type."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import tempfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.db import transaction

from sladesk.core.exceptions import DeskError, PermissionDenied
from sladesk.tickets.models import Attachment, EventKind, Ticket, TicketMessage
from sladesk.tickets.services.common import event_record, now_or, participant

if TYPE_CHECKING:
    from sladesk.accounts.actor import Actor

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 1024 * 1024

#: Magic bytes of common attachment types (support packets, logs, dumps, screenshots).
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"PK\x05\x06", "application/zip"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"BZh", "application/x-bzip2"),
    (0, b"\xfd7zXZ\x00", "application/x-xz"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"(\xb5/\xfd", "application/zstd"),
    (0, b"\x7fELF", "application/x-elf"),  # core dumps
    (0, b"MDMP", "application/x-dmp"),  # Windows minidumps
    (0, b"SQLite format 3\x00", "application/vnd.sqlite3"),
    (257, b"ustar", "application/x-tar"),
)


class AttachmentTooLarge(DeskError):
    code = "attachment_too_large"
    status = 413


def max_attachment_bytes() -> int:
    """Return the size limit of one file (setting ``SLADESK_MAX_ATTACHMENT_BYTES``, 100 MB)."""
    return int(getattr(settings, "SLADESK_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


def sniff_content_type(head: bytes, *, filename: str) -> str:
    """Return the content type from the first bytes, refined or completed by the file name.

    Magic bytes win over the extension (a ``.log`` that is gzip is gzip), except that
    a ZIP container keeps a more specific type the extension names (``.docx``); text
    without a known type is ``text/plain``; anything else ``application/octet-stream``.
    """
    guessed, encoding = mimetypes.guess_type(filename, strict=False)
    for offset, magic, content_type in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            if (
                content_type == "application/zip"
                and guessed
                and guessed != content_type
                and "zip" not in (encoding or "")
            ):
                return guessed
            return content_type
    if guessed and not encoding:
        return guessed
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not merely a character cut at the end
                return guessed or "application/octet-stream"
        return "text/plain"
    return guessed or "application/octet-stream"


def safe_filename(name: str) -> str:
    """Return the last path component of ``name``, without control characters, at most 200 chars."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return (cleaned or "attachment")[-200:]


@dataclass(frozen=True, slots=True)
class Upload:
    """A file to attach: a readable binary stream and its name."""

    stream: IO[bytes]
    filename: str


@transaction.atomic
def attachment_add(
    *,
    ticket: Ticket,
    upload: Upload,
    actor: Actor,
    message: TicketMessage | None = None,
    internal: bool = False,
    now: dt.datetime | None = None,
) -> Attachment:
    """Stream ``upload`` to storage and attach it to ``ticket`` (and ``message``).

    The file is read once, in chunks: hashed (SHA-256), counted against the size
    limit (refused with ``attachment_too_large`` as soon as it goes over) and spooled to
    a temporary file, then saved to the default storage. Contacts cannot add internal
    attachments; an attachment of an internal note is internal.
    """
    now = now_or(now)
    kind, _ = participant(actor, ticket)
    if message is not None and message.is_internal:
        internal = True
    if internal and kind != "agent":
        raise PermissionDenied("only agents may add internal attachments", code="not_an_agent")
    name = safe_filename(upload.filename)
    limit = max_attachment_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        while chunk := upload.stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise AttachmentTooLarge(
                    f"{name} is larger than the limit of {_mb(limit)} a file",
                    details={"limit_bytes": limit, "filename": name},
                )
            if len(head) < 512:
                head += chunk[: 512 - len(head)]
            digest.update(chunk)
            spool.write(chunk)
        spool.seek(0)
        attachment = Attachment(
            ticket=ticket,
            message=message,
            internal=internal,
            filename=name,
            size=size,
            sha256=digest.hexdigest(),
            content_type=sniff_content_type(head, filename=name),
            uploaded_by=actor.user,
            uploaded_label=actor.label[:200],
            uploaded_at=now,
        )
        attachment.file.save(name, File(spool, name=name), save=False)
    attachment.save()
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    event_record(
        ticket=ticket,
        kind=EventKind.ATTACHED,
        actor=actor,
        at=now,
        data={
            "attachment": attachment.pk,
            "filename": name,
            "size": size,
            "sha256": attachment.sha256,
            "content_type": attachment.content_type,
            "internal": internal,
        },
    )
    return attachment


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"
