"""Delivery channels: a small registry of functions that send one notification.

A channel is a function ``(notification) -> None`` registered under a name of
``Channel``. It returns when the message is delivered and raises ``DeliveryFailed``
(or any exception) to have the outbox retry later with backoff, or
``PermanentFailure`` when retrying cannot help (the notification is then dead at once).
Channels must not write to the database: the outbox records the outcome.

``in_app`` has nothing to send: a sent in-app notification is what an agent's
notification list shows. ``log`` writes one line to the ``sladesk.notifications`` logger.
E-mail, chat and paging register here in later issues.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sladesk.notifications.models import Notification

logger = logging.getLogger("sladesk.notifications")

Deliver = Callable[["Notification"], None]

_REGISTRY: dict[str, Deliver] = {}


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
