"""Write audit entries; every service in the accounts app calls ``audit_record``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import AuditLog, Organisation
from sladesk.core import time


def audit_record(
    *,
    actor: Actor,
    action: str,
    summary: str,
    obj: models.Model | None = None,
    object_type: str = "",
    organisation: Organisation | None = None,
    changes: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditLog:
    """Append one entry: ``action`` (``contact.add``) on ``obj`` by ``actor``, in words and data.

    Without ``obj`` (a whole-catalogue load, say) give ``object_type`` instead.
    """
    if obj is not None and not object_type:
        object_type = obj._meta.model_name or type(obj).__name__.lower()
    return AuditLog.objects.create(
        at=at or time.now(),
        actor=actor.user,
        actor_label=actor.label[:200],
        via=actor.via,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        organisation=organisation,
        summary=summary,
        changes=_jsonable(changes or {}),
    )


def _jsonable(value: Any) -> Any:
    """Return ``value`` with dates and other objects turned into strings for the JSON field."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
