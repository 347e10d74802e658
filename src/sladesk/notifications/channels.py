"""Delivery channels: a small registry of functions that send one notification.

A channel is a function ``(notification) -> None`` registered under a name of
``Channel``. It returns when the message is delivered and raises ``DeliveryFailed``
(or any exception) to have the outbox retry later with backoff, or
``PermanentFailure`` when retrying cannot help (the notification is then dead at once).
Channels must not write to the database: the outbox records the outcome.

A delivery pass runs inside ``delivery_session()``: a channel may keep what it opens
(the e-mail channel's SMTP connection) for the rest of the pass with ``hold`` and find
it again with ``held``, instead of connecting once per notification; the session closes
it at the end of the pass.

``in_app`` has nothing to send: a sent in-app notification is what an agent's
notification list shows. ``log`` writes one line to the ``sladesk.notifications`` logger.
E-mail, chat and paging register here in later issues.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sladesk.notifications.models import Notification

logger = logging.getLogger("sladesk.notifications")

Deliver = Callable[["Notification"], None]

_REGISTRY: dict[str, Deliver] = {}
#: What channels hold open during the current delivery pass: name -> (resource, close).
_SESSION: ContextVar[dict[str, tuple[Any, Callable[[Any], None]]] | None] = ContextVar(
    "sladesk_delivery_session", default=None
)


class DeliveryFailed(Exception):
    """The channel could not deliver now; the outbox tries again later."""


class PermanentFailure(DeliveryFailed):
    """The channel can never deliver this notification; the outbox gives up at once."""


def register(name: str) -> Callable[[Deliver], Deliver]:
    """Register the decorated function as the channel ``name`` (replacing any other)."""

    def decorate(deliver: Deliver) -> Deliver:
        _REGISTRY[name] = deliver
        return deliver

    return decorate


def unregister(name: str) -> None:
    """Remove the channel ``name`` (tests, plugins)."""
    _REGISTRY.pop(name, None)


def channel_for(name: str) -> Deliver:
    """Return the channel ``name``; refuse permanently when none is registered."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise PermanentFailure(f"no channel {name!r} is registered") from None


def registered() -> list[str]:
    return sorted(_REGISTRY)


@contextmanager
def delivery_session() -> Iterator[None]:
    """Let channels keep connections open for one delivery pass; close them at its end."""
    held_now: dict[str, tuple[Any, Callable[[Any], None]]] = {}
    token = _SESSION.set(held_now)
    try:
        yield
    finally:
        _SESSION.reset(token)
        for name in list(held_now):
            release(name, session=held_now)


def hold(name: str, resource: Any, *, close: Callable[[Any], None]) -> bool:
    """Keep ``resource`` for the rest of the delivery pass; False outside a pass (not kept)."""
    session = _SESSION.get()
    if session is None:
        return False
    release(name)
    session[name] = (resource, close)
    return True


def held(name: str) -> Any:
    """Return what the channel kept under ``name`` in this delivery pass, or None."""
    session = _SESSION.get()
    entry = session.get(name) if session is not None else None
    return entry[0] if entry is not None else None


def release(name: str, *, session: dict[str, Any] | None = None) -> None:
    """Close and forget what is kept under ``name`` (after an error, say)."""
    session = session if session is not None else _SESSION.get()
    entry = session.pop(name, None) if session is not None else None
    if entry is None:
        return
    resource, close = entry
    try:
        close(resource)
    except Exception:  # a connection that broke may not close cleanly: it is gone anyway
        logger.warning("could not close the %s connection", name, exc_info=True)


@register("in_app")
def deliver_in_app(notification: Notification) -> None:
    """Make the notification visible in its recipient's list (status ``sent`` does that)."""
    if notification.recipient_id is None:
        raise PermanentFailure("an in-app notification needs a recipient user")


@register("log")
def deliver_log(notification: Notification) -> None:
    """Write the notification as one log line."""
    payload = notification.payload
    logger.info(
        "notify %s to %s: %s",
        notification.kind,
        notification.address or f"user {notification.recipient_id}",
        payload.get("text") or payload,
    )
