"""Attachments: streamed to the configured storage with SHA-256, size and content type.

Before a file reaches storage it passes the attachment filters (setting
``SLADESK_ATTACHMENT_FILTERS``, read at each call): each filter sees the spooled file and
may replace it (the packets app's ``redact_diagnostics`` swaps a support packet, config
or log for its redacted artefact), refuse it with a ``DeskError`` (nothing is stored), and
hand back follow-up work that runs once the ``Attachment`` row exists.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import mimetypes
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.module_loading import import_string

from sladesk.core.exceptions import DeskError, PermissionDenied
from sladesk.tickets.models import Attachment, EventKind, Ticket, TicketMessage
from sladesk.tickets.services.common import event_record, now_or, participant

if TYPE_CHECKING:
    from sladesk.accounts.actor import Actor

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
CHUNK = 1024 * 1024
HEAD = 512
#: The filters run when ``SLADESK_ATTACHMENT_FILTERS`` is not set.
DEFAULT_FILTERS: tuple[str, ...] = ("sladesk.packets.filters.redact_diagnostics",)

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


@dataclass(frozen=True, slots=True)
class AttachmentCandidate:
    """What a filter sees: the spooled upload (not yet in storage) and where it goes.

    ``path`` is a private temporary file (a previous filter's replacement, if any);
    ``workdir`` is a private temporary folder where a filter may write its replacement.
    Both disappear when ``attachment_add`` returns.
    """

    path: Path
    filename: str
    size: int
    sha256: str
    content_type: str
    ticket: Ticket
    actor: Actor
    message: TicketMessage | None
    internal: bool
    now: dt.datetime
    workdir: Path


#: Work to do once the attachment row exists (same transaction); gets the saved row.
FollowUp = Callable[[Attachment], None]


@dataclass(frozen=True, slots=True)
class FilterResult:
    """A filter's answer: a replacement file (or none) and follow-up work (or none).

    ``path`` replaces the upload (the stored name, size, SHA-256 and content type are
    taken from it; ``filename`` and ``content_type`` override the name and the sniffed
    type). ``label`` names the filter in the ledger.
    """

    path: Path | None = None
    filename: str | None = None
    content_type: str | None = None
    follow_up: FollowUp | None = None
    label: str = ""


AttachmentFilter = Callable[[AttachmentCandidate], FilterResult | None]


def attachment_filters() -> list[AttachmentFilter]:
    """Return the filters named by ``SLADESK_ATTACHMENT_FILTERS`` (dotted paths), in order."""
    names = getattr(settings, "SLADESK_ATTACHMENT_FILTERS", DEFAULT_FILTERS)
    return [import_string(name) for name in names]


@transaction.atomic
def attachment_add(
    *,
    ticket: Ticket,
    upload: Upload,
    actor: Actor,
    message: TicketMessage | None = None,
    internal: bool = False,
    now: dt.datetime | None = None,
    filters: Sequence[AttachmentFilter] | None = None,
) -> Attachment:
    """Stream ``upload`` to storage and attach it to ``ticket`` (and ``message``).

    The file is read once, in chunks: hashed (SHA-256), counted against the size
    limit (refused with ``attachment_too_large`` as soon as it goes over) and spooled to
    a private temporary file. The attachment filters (``filters``, else the setting
    ``SLADESK_ATTACHMENT_FILTERS``) then see it before anything is stored: a filter may
    replace the file (the replacement is what is stored, hashed and typed), refuse it
    (its ``DeskError`` propagates; nothing is stored) or return follow-up work, which runs
    after the row is saved; if that fails, the stored file is deleted again. Contacts
    cannot add internal attachments; an attachment of an internal note is internal.
    """
    now = now_or(now)
    kind, _ = participant(actor, ticket)
    if message is not None and message.is_internal:
        internal = True
    if internal and kind != "agent":
        raise PermissionDenied("only agents may add internal attachments", code="not_an_agent")
    name = safe_filename(upload.filename)
    limit = max_attachment_bytes()
    chain = attachment_filters() if filters is None else list(filters)
    with tempfile.TemporaryDirectory(prefix="sladesk-attachment-") as work:
        workdir = Path(work)
        path = workdir / "upload"
        size, sha256, head = _spool(upload.stream, path, name=name, limit=limit)
        content_type = sniff_content_type(head, filename=name)
        original = {"filename": name, "size": size, "sha256": sha256}
        follow_ups: list[FollowUp] = []
        replaced_by: list[str] = []
        for attachment_filter in chain:
            candidate = AttachmentCandidate(
                path=path,
                filename=name,
                size=size,
                sha256=sha256,
                content_type=content_type,
                ticket=ticket,
                actor=actor,
                message=message,
                internal=internal,
                now=now,
                workdir=workdir,
            )
            result = attachment_filter(candidate)
            if result is None:
                continue
            if result.path is not None:
                path = result.path
                name = safe_filename(result.filename or name)
                size, sha256, head = _file_facts(path)
                content_type = result.content_type or sniff_content_type(head, filename=name)
                replaced_by.append(result.label or _label(attachment_filter))
            if result.follow_up is not None:
                follow_ups.append(result.follow_up)
        attachment = Attachment(
            ticket=ticket,
            message=message,
            internal=internal,
            filename=name,
            size=size,
            sha256=sha256,
            content_type=content_type,
            uploaded_by=actor.user,
            uploaded_label=actor.label[:200],
            uploaded_at=now,
        )
        with open(path, "rb") as handle:
            attachment.file.save(name, File(handle, name=name), save=False)
        try:
            attachment.save()
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
            data: dict[str, object] = {
                "attachment": attachment.pk,
                "filename": name,
                "size": size,
                "sha256": attachment.sha256,
                "content_type": attachment.content_type,
                "internal": internal,
            }
            if replaced_by:
                data["replaced"] = {**original, "by": replaced_by}
            event_record(ticket=ticket, kind=EventKind.ATTACHED, actor=actor, at=now, data=data)
            for follow_up in follow_ups:
                follow_up(attachment)
        except BaseException:
            with contextlib.suppress(OSError):
                attachment.file.delete(save=False)
            raise
    return attachment


def _spool(stream: IO[bytes], path: Path, *, name: str, limit: int) -> tuple[int, str, bytes]:
    """Copy ``stream`` to ``path``; return its size, SHA-256 and first bytes (or refuse it)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with open(path, "wb") as spool:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise AttachmentTooLarge(
                    f"{name} is larger than the limit of {_mb(limit)} a file",
                    details={"limit_bytes": limit, "filename": name},
                )
            if len(head) < HEAD:
                head += chunk[: HEAD - len(head)]
            digest.update(chunk)
            spool.write(chunk)
    return size, digest.hexdigest(), head


def _file_facts(path: Path) -> tuple[int, str, bytes]:
    """Return the size, SHA-256 and first bytes of a filter's replacement file."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            size += len(chunk)
            if len(head) < HEAD:
                head += chunk[: HEAD - len(head)]
            digest.update(chunk)
    return size, digest.hexdigest(), head


def _label(attachment_filter: AttachmentFilter) -> str:
    module = getattr(attachment_filter, "__module__", "") or ""
    qualname = getattr(attachment_filter, "__qualname__", "") or repr(attachment_filter)
    return f"{module}.{qualname}".strip(".")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"
