"""The notifications REST API (router ``notifications``): my in-app list, mark read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from sladesk.accounts.access import require_scope
from sladesk.api.auth import principal, token_auth
from sladesk.api.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from sladesk.api.schemas import ERRORS, InputSchema, refuse_unknown_query
from sladesk.core import time
from sladesk.core.exceptions import ValidationFailed
from sladesk.notifications import selectors, services
from sladesk.notifications.models import Notification

router = Router(tags=["notifications"], auth=token_auth)


class NotificationOut(Schema):
    id: int
    kind: str
    payload: dict[str, Any]
    created_at: dt.datetime
    sent_at: dt.datetime | None
    read_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    next_cursor: str | None


class ListQuery(Schema):
    unread: bool = False
    limit: int = 50
    cursor: str | None = None


class ReadIn(InputSchema):
    ids: list[int] | None = None  # none given: all unread


class ReadOut(Schema):
    marked: int
    unread: int


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        payload=n.payload,
        created_at=n.created_at,
        sent_at=n.sent_at,
        read_at=n.read_at,
    )


@router.get("/notifications", response={200: NotificationPage, **ERRORS})
def notification_index(request: HttpRequest, q: Query[ListQuery]) -> NotificationPage:
    """List my in-app notifications, newest first (``unread=true`` for unread only)."""
    refuse_unknown_query(request, "unread", "limit", "cursor")
    who = principal(request)
    require_scope(who, "read")
    if not 1 <= q.limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", code="invalid_input")
    qs = selectors.inbox(who.user, unread_only=q.unread)
    if q.cursor:
        qs = qs.filter(pk__lt=decode_cursor(q.cursor))
    rows = list(qs[: q.limit + 1])
    cursor = None
    if len(rows) > q.limit:
        rows = rows[: q.limit]
        cursor = encode_cursor(rows[-1].pk)
    return NotificationPage(
        items=[_out(n) for n in rows], unread=selectors.unread_count(who.user), next_cursor=cursor
    )


@router.post("/notifications/read", response={200: ReadOut, **ERRORS})
def notification_read(request: HttpRequest, payload: ReadIn) -> ReadOut:
    """Mark my notifications read: the ``ids`` given, or every unread one."""
    who = principal(request)
    require_scope(who, "write")
    marked = services.notifications_mark_read(user=who.user, now=time.now(), ids=payload.ids)
    return ReadOut(marked=marked, unread=selectors.unread_count(who.user))
