"""Attachment downloads for both contacts (public files only) and agents."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from sladesk.accounts.access import Principal
from sladesk.core.exceptions import NotFound
from sladesk.tickets import access
from sladesk.web.auth import principal_view


@principal_view
def attachment_download(
    request: HttpRequest, principal: Principal, ticket_id: int, attachment_id: int
) -> FileResponse:
    try:
        ticket = access.ticket_for(principal, ticket_id)
        attachment = access.attachment_for(principal, ticket, attachment_id)
    except NotFound as error:
        raise Http404(error.message) from error
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
