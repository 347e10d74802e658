"""An upload handler that stops reading a file once it is over the attachment size limit.

Without it Django spools a whole upload to a temporary file before any view can refuse
it, so a 5 GB dump sent by mistake fills the disk and is refused only at the end. This
handler, first in ``FILE_UPLOAD_HANDLERS``, skips a file as soon as it goes over
``max_attachment_bytes()``: what was spooled is deleted, the rest of that file is read
from the request and thrown away, and the other fields of the form are kept. The files
it skipped are listed on the request (``oversized_uploads``) for the view to refuse with
``attachment_too_large``, naming them.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from sladesk.tickets.services.attachments import AttachmentTooLarge, max_attachment_bytes


class AttachmentSizeLimit(FileUploadHandler):
    """Skip any uploaded file over the attachment size limit (see the module docstring)."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        limit = max_attachment_bytes()
        if start + len(raw_data) > limit:
            skipped = getattr(self.request, "oversized_uploads", None)
            if skipped is None:
                skipped = []
                self.request.oversized_uploads = skipped  # type: ignore[union-attr]
            skipped.append(self.file_name or "upload")
            raise SkipFile
        return raw_data  # on to the handlers that store it

    def file_complete(self, file_size: int) -> Any:
        return None  # the next handlers make the file


def oversized_uploads(request: HttpRequest) -> list[str]:
    """Return the names of the files this request's upload skipped for their size."""
    return list(getattr(request, "oversized_uploads", []))


def oversized_refusal(request: HttpRequest) -> AttachmentTooLarge | None:
    """Return the refusal for the files skipped for their size, or None if none was."""
    names = oversized_uploads(request)
    if not names:
        return None
    limit = max_attachment_bytes()
    return AttachmentTooLarge(
        f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} over the {limit:,}-byte "
        "limit for one file and "
        f"{'was' if len(names) == 1 else 'were'} not uploaded; compress or split it, or "
        "send the part that matters",
        details={"files": names, "limit_bytes": limit},
    )
