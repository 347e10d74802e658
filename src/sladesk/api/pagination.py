"""Cursor pagination for list endpoints: ``?limit=50&cursor=...`` -> ``next_cursor``.

Rows are ordered by id; the cursor is the last id seen, encoded. Unlike offsets it stays
correct while rows are added.
"""

from __future__ import annotations

import base64
import binascii
from typing import TypeVar

from django.db.models import Model, QuerySet

from sladesk.core.exceptions import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

M = TypeVar("M", bound=Model)


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "id" or not value.isdigit():
            raise ValueError(text)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            "the cursor is not one this API gave out", code="invalid_cursor"
        ) from None


def paginate(qs: QuerySet[M], *, cursor: str | None, limit: int) -> tuple[list[M], str | None]:
    """Return one page of ``qs`` (ordered by id) and the cursor of the next page, if any."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", code="invalid_input")
    qs = qs.order_by("pk")
    if cursor:
        qs = qs.filter(pk__gt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(int(rows[-1].pk))
    return rows, None
