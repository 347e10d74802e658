"""Outlook's TNEF wrapper (``winmail.dat``, ``application/ms-tnef``): the files and text inside.

Outlook and Exchange send "rich text" mail as one TNEF blob that holds the message's
body and every attached file; most mail clients show it as an opaque ``winmail.dat``.
A customer's log or screenshot sent that way must reach the ticket as itself, so the
blob is unpacked with ``tnefparse`` (pure Python, LGPL-3.0, the library other desks
and mail tools use for this). A blob that is not TNEF after all (a mislabelled PNG
was seen in the wild), is damaged, or holds nothing to show is left as it came:
the caller keeps ``winmail.dat`` as a file and says why.

TNEF is not compressed (except the RTF body, which is not used here), so what comes
out is never larger than the blob, and the blob was already held to the message size
limit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)
# tnefparse says "Skipping checksum for performance" at INFO on every blob.
logging.getLogger("tnefparse").setLevel(logging.WARNING)

#: Nested TNEF (an attached Outlook message that is itself TNEF) is read this deep.
MAX_DEPTH = 3


@dataclass(frozen=True, slots=True)
class TnefFile:
    """One file found in a TNEF blob."""

    filename: str
    content_type: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class TnefContents:
    """What a TNEF blob held: its files, and its body as plain text and/or HTML."""

    files: tuple[TnefFile, ...]
    text: str
    html: str

    @property
    def empty(self) -> bool:
        return not self.files and not self.text.strip() and not self.html.strip()


def _text(value: object) -> str:
    if isinstance(value, bytes):
        for codec in ("utf-8", "cp1252"):
            try:
                return value.decode(codec).rstrip("\x00")
            except UnicodeDecodeError:
                continue
        return value.decode("latin-1").rstrip("\x00")
    return str(value or "").rstrip("\x00")


def _files(tnef: object, *, depth: int) -> list[TnefFile]:
    from sladesk.tickets.services.attachments import sniff_content_type  # a Django app

    found: list[TnefFile] = []
    for index, attachment in enumerate(getattr(tnef, "attachments", []), start=1):
        data = attachment.data if isinstance(attachment.data, bytes) else b""
        embedded = getattr(attachment, "embed", None)
        if embedded is not None and depth < MAX_DEPTH:
            found += _files(embedded, depth=depth + 1)
            continue
        try:
            name = attachment.long_filename() or attachment.name
        except Exception:  # a damaged name property: keep the file under a made-up name
            name = ""
        name = _text(name).strip() or f"winmail-part-{index}.bin"
        content_type = sniff_content_type(data[:512], filename=name)
        found.append(TnefFile(filename=name, content_type=content_type, payload=data))
    return found


def tnef_unpack(blob: bytes) -> TnefContents | None:
    """Return the files and body inside a TNEF ``blob``, or None if it cannot be read.

    Never raises: a blob that is not TNEF or is damaged gives None (and a debug log line).
    """
    try:
        from tnefparse import TNEF

        tnef = TNEF(blob, do_checksum=False)
        files = _files(tnef, depth=1)
        text = _text(tnef.body)
        html = _text(tnef.htmlbody)
    except Exception as exc:  # tnefparse raises ValueError, IndexError, struct errors...
        logger.debug("not a readable TNEF blob: %s", exc)
        return None
    return TnefContents(files=tuple(files), text=text, html=html)
