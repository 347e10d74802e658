"""The audit log, read-only (support managers and administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from sladesk.accounts.access import Can, require
from sladesk.accounts.models import AuditLog, Organisation
from sladesk.accounts.selectors import audit_list
from sladesk.api.auth import principal, token_auth
from sladesk.api.pagination import DEFAULT_LIMIT, paginate
from sladesk.api.schemas import ERRORS, refuse_unknown_query

router = Router(tags=["audit"], auth=token_auth)


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    via: str
    action: str
    object_type: str
    object_id: str
    organisation_id: int | None
    summary: str
    changes: dict[str, Any]


class AuditPage(Schema):
    items: list[AuditOut]
    next_cursor: str | None


def audit_out(entry: AuditLog) -> AuditOut:
    return AuditOut(
        id=entry.pk,
        at=entry.at,
        actor=entry.actor_label,
        via=entry.via,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        organisation_id=entry.organisation_id,
        summary=entry.summary,
        changes=entry.changes,
    )


@router.get("/audit", response={200: AuditPage, **ERRORS})
def list_audit(
    request: HttpRequest,
    organisation_id: int | None = None,
    action: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> AuditPage:
    """List audit entries (oldest first within the page order by id), filtered by organisation or action."""
    refuse_unknown_query(request, "organisation_id", "action", "cursor", "limit")
    require(principal(request), Can.READ_AUDIT)
    organisation = (
        Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    )
    qs = audit_list(organisation=organisation, action=action)
    if organisation_id and organisation is None:
        qs = qs.none()
    rows, next_cursor = paginate(qs, cursor=cursor, limit=limit)
    return AuditPage(items=[audit_out(e) for e in rows], next_cursor=next_cursor)
